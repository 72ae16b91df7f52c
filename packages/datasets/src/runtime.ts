// The parts of @dept/runtime this package uses (interfaces.md): bit-exact torch/numpy permutations and
// the Hugging Face hub cache/download helpers. Every caller goes through this one module.
//
// INTERIM: @dept/runtime is being written in parallel and its permutation/hub functions are not on main
// yet, so they are loaded lazily by name (a static import would not resolve). Once they land this file
// becomes a plain re-export and the functions below turn synchronous where the interface is.

export interface HubOptions {
  revision?: string;
  endpoint?: string;
  token?: string;
  env?: NodeJS.ProcessEnv;
  progress?: boolean;
}

export interface RuntimeApi {
  torchRandperm: (n: number, seed: number) => Int32Array;
  numpyPermutation: (n: number, seed: number) => Int32Array;
  findCachedSnapshot: (repoId: string, repoType: "model" | "dataset", revision?: string, env?: NodeJS.ProcessEnv) => string | null;
  hubCacheDir: (env?: NodeJS.ProcessEnv) => string;
  hubListFiles: (repoId: string, repoType: "model" | "dataset", opts?: HubOptions) => Promise<string[]>;
  hubDownload: (repoId: string, repoType: "model" | "dataset", filename: string, opts?: HubOptions) => Promise<string>;
}

const RUNTIME_PACKAGE = "@dept/runtime";
let loaded: Promise<RuntimeApi> | null = null;

export function runtime(): Promise<RuntimeApi> {
  loaded ??= (import(RUNTIME_PACKAGE) as Promise<Partial<RuntimeApi>>).then((mod) => {
    for (const name of ["torchRandperm", "numpyPermutation", "findCachedSnapshot", "hubCacheDir", "hubListFiles", "hubDownload"] as const) {
      if (typeof mod[name] !== "function") throw new Error(`@dept/runtime does not export ${name} yet (interfaces.md)`);
    }
    return mod as RuntimeApi;
  });
  return loaded;
}

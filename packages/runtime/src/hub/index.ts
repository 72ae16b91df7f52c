// Hugging Face hub access: cache layout, file listing, resumable downloads.
export { hubCacheDir, hfHome, findCachedSnapshot, repoFolderName, type HubRepoType } from "./cache.ts";
export { hubListFiles, hubDownload, cachedHubFile, HubError, DEFAULT_HUB_ENDPOINT, type HubOptions } from "./download.ts";
export type { ProgressStream } from "./progress.ts";

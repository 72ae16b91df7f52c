// Captures what a `dept` command writes: pass `io` to main(argv, io), then read `out` / `err` (one entry per line).
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) } };
}

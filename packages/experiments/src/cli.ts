#!/usr/bin/env node
// Entry point of the `dept` command (`pnpm dept ...`).
import { main } from "./main.ts";

const io = {
  stdout: (line: string) => process.stdout.write(`${line}\n`),
  stderr: (line: string) => process.stderr.write(`${line}\n`),
};
process.exitCode = await main(process.argv.slice(2), io);

// Public surface of @dept/runtime.
export * from "./hub/index.ts";

// Vanilla prompt tuning (PROMPT_TUNING): config + model wiring, registered in ../registry.ts.
export * from "./config.ts";
export * from "./model.ts";

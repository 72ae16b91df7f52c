// DePT (PROMPT_TUNING_LORA): config + model wiring, registered in ../registry.ts.
export * from "./config.ts";
export * from "./model.ts";

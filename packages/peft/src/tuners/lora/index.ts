// LoRA (LORA) on attention q/v linears: config + model wiring, registered in ../registry.ts.
export * from "./config.ts";
export * from "./model.ts";

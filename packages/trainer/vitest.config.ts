export { default } from "../../configs/vitest.config.ts";

// Public surface of @dept/models.
export { Tokenizer, TokenizerError, type TokenizerLoadOptions, type BatchEncodeOptions, type BatchEncoding, type DecodeOptions, type PaddingSide } from "./tokenizer.ts";

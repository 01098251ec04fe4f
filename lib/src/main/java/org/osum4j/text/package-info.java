/**
 * Text for OSUM's LLM: {@link org.osum4j.text.Tokenizer} (tokenizer.json via DJL, offline),
 * {@link org.osum4j.text.Qwen2TokenizerConverter} (vocab.json + merges.txt → tokenizer.json),
 * {@link org.osum4j.text.TokenizerBuilder} (small byte-level BPE for from-scratch models) and
 * {@link org.osum4j.text.TextNorm} (OSUM's process_text). Depends on nothing else of osum4j.
 */
package org.osum4j.text;

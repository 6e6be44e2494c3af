// Word2Vec training kernels. Re-exports only.
export { w2v_train_batch, w2v_train_batch_scalar, w2v_ns_step, w2v_hs_step, w2v_log_table_init, w2v_cfg_layout, w2v_cache_corpus, w2v_init_rows } from './train';

// FastText training kernels. Re-exports only.
export { ft_train_batch, ft_train_batch_scalar, ft_init_uniform, ft_cfg_layout } from './train';
export { sup_train_batch, sup_train_batch_scalar, sup_cfg_layout, qat_quantize_per_row, mask_zero } from './supervised';
export { ft_predict_batch, ft_predict_batch_scalar, ft_dict_build, ft_predict_state_size, ft_pq_decode } from './predict';
export { ft_mean_rows_gather, ft_mean_rows_gather_scalar } from './train';

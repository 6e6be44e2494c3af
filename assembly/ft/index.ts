// FastText training kernels. Re-exports only.
export { ft_train_batch, ft_train_batch_scalar, ft_init_uniform, ft_cfg_layout } from './train';
export { ft_mean_rows_gather, ft_mean_rows_gather_scalar } from './train';

// FastText training kernels. Re-exports only.
export { ft_train_batch, ft_train_batch_scalar, ft_init_uniform, ft_cfg_layout } from './train';
export { sup_train_batch, sup_train_batch_scalar, sup_cfg_layout } from './supervised';

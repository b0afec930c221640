/** Limits shared by the spec validator, the potential compiler and the kernels. */

/** Largest dimension D the kernels and the potential compiler are built for. */
export const MAX_DIMS = 16;

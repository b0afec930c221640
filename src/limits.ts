/**
 * Limits shared by the spec validator, the potential compiler and the kernels:
 * every input limit in one place. Each is checked before any work that it
 * protects (a parse, a recursion, an allocation), and a refusal names the
 * field, the value and the limit.
 */

/** Largest dimension D the kernels and the potential compiler are built for. */
export const MAX_DIMS = 16;

/**
 * Deepest nesting of arrays and objects in spec text (`parseJsonText`). A spec
 * needs 4 levels (`potential.data.rows[i][j]`); the limit keeps every walk of
 * a parsed value shallow, whatever its source.
 */
export const MAX_JSON_DEPTH = 256;

/** Longest expression (`potential.expr`, `example`, `prior`), in characters, checked before parsing. */
export const MAX_EXPRESSION_LENGTH = 10_000;

/**
 * Deepest nesting of brackets ( [ { in an expression, checked before parsing:
 * the parser recurses about 20 frames per bracket.
 */
export const MAX_EXPRESSION_NESTING = 64;

/** Most nodes (numbers, names, operators, calls) in a parsed expression. */
export const MAX_EXPRESSION_NODES = 4_000;

/**
 * Deepest parsed expression, in operations nested inside one another (a chain
 * `a - b - c` nests one level per operator; a sum `a + b + c` is one level).
 * Differentiation and the compiler recurse along it.
 */
export const MAX_EXPRESSION_DEPTH = 256;

/** Longest name of a parameter, a data column or a symbol in an expression, in characters. */
export const MAX_IDENTIFIER_LENGTH = 64;

/** Largest number of rows × columns in a data set (the GPU holds them as f32 in one storage binding). */
export const MAX_DATA_CELLS = 1 << 24;

/**
 * Largest magnitude of a real number in a spec: the largest finite 32-bit
 * float (2^128 − 2^104), since the GPU computes in f32. Smaller magnitudes,
 * subnormal ones included, are accepted; a GPU may flush subnormals to zero.
 */
export const F32_MAX = 3.4028234663852886e38;

/** Smallest positive normal 32-bit float (2^−126). */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * Most particles an ensemble may have: 2^40. The random numbers' counter holds a particle's low 32 bits in
 * word 0 and its high bits in the stream word (src/rng/philox.ts `streamWord`); an ensemble larger than
 * memory runs in blocks (src/run/blocks.ts) or as shards.
 */
export const MAX_PARTICLES = 2 ** 40;

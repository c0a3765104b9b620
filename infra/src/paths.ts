import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Git-ignored home of downloaded jars, data directories and pid files. */
export const cacheDir = process.env.VAWG_CACHE_DIR ?? join(repoRoot, '.cache');

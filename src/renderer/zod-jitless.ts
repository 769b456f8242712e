// Imported first by main.tsx: the strict CSP forbids eval, and zod's probe for it (at
// schema creation) would log a CSP violation. Jitless parsing needs no eval.
import { z } from 'zod';

z.config({ jitless: true });

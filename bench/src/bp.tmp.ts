import { benchPublication } from '/work/main/bench/src/publication.ts';
const p = await benchPublication(Number(process.env.N ?? 20000), (l) => console.log(l));
console.log(p);

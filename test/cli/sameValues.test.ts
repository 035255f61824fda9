// edit.ts checks that an edited stack file reads back as the expected values with sameValues,
// a narrower isDeepStrictEqual for what js-yaml reads. Held here: the two agree on such values
// and on their near misses (a changed leaf, a key added or dropped, a type changed).
import fc from "fast-check";
import { isDeepStrictEqual } from "util";
import { sameValues } from "../../cli/edit";

const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 2 }), fc.constantFrom(0, -0, NaN, Infinity, 1.5, true, false, null, "1", ""));
const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b", "__proto__", "1", "epoch"), tie("v"), { maxKeys: 3 })),
})).v;

/** A deep copy made in this realm (structuredClone's objects have another Object.prototype under jest), own `__proto__` keys kept as keys. */
function copyOf(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(copyOf);
    if (v && typeof v === "object") {
        const o = Object.create(Object.getPrototypeOf(v) === null ? null : Object.prototype);
        for (const [k, x] of Object.entries(v)) Object.defineProperty(o, k, { value: copyOf(x), enumerable: true, writable: true, configurable: true });
        return o;
    }
    return v;
}

/** A copy of `v` with one change somewhere, chosen by `pick` (or none). */
function nearMiss(v: unknown, pick: number[]): unknown {
    const [p = 0, ...rest] = pick;
    if (Array.isArray(v)) {
        if (!v.length || p % 4 === 0) return p % 2 ? [...v, null] : v.slice(1);
        const i = p % v.length;
        return v.map((x, j) => (j === i ? nearMiss(x, rest) : x));
    }
    if (v && typeof v === "object") {
        const o = { ...(v as Record<string, unknown>) };
        const keys = Object.keys(o);
        if (!keys.length || p % 4 === 0) {
            if (p % 2) o.added = 1;
            else delete o[keys[0]];
            return o;
        }
        const k = keys[p % keys.length];
        o[k] = nearMiss(o[k], rest);
        return o;
    }
    return [v, -0, 0, "0", null, [v], { v }][p % 7];
}

test("sameValues is isDeepStrictEqual on js-yaml's kinds of values", () => {
    fc.assert(
        fc.property(value, fc.array(fc.nat(20), { maxLength: 6 }), (v, pick) => {
            const copy = copyOf(v);
            expect(sameValues(v, copy)).toBe(true);
            const other = nearMiss(v, pick);
            expect(sameValues(v, other)).toBe(isDeepStrictEqual(v, other));
            expect(sameValues(other, v)).toBe(isDeepStrictEqual(other, v));
        }),
        { numRuns: 2000 },
    );
});

test("another prototype is left to isDeepStrictEqual", () => {
    expect(sameValues(new Date(0), new Date(0))).toBe(true);
    expect(sameValues(new Date(0), new Date(1))).toBe(false);
    expect(sameValues({}, Object.create(null))).toBe(false);
    expect(sameValues([1], { 0: 1 })).toBe(false);
});

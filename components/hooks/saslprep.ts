// SASLprep (RFC 4013, the stringprep profile of RFC 3454) as PostgreSQL's client applies
// it to a password before SCRAM (postgres src/common/saslprep.c pg_saslprep, used by libpq
// and by the server when it builds a verifier): an ASCII password is used as it is;
// otherwise non-ASCII spaces become U+0020, "commonly mapped to nothing" characters are
// removed, the result is NFKC-normalized and checked for prohibited characters and
// bidirectional rules. When that check fails, the client uses the password unchanged, so
// the verifier must too. Without this, a supplied password holding U+00AD or U+200B sets a
// verifier no client can log in with.

type Range = readonly [number, number];

/** RFC 3454 C.1.2, non-ASCII space characters (checked first, as pg_saslprep does). */
const NON_ASCII_SPACE: Range[] = [[0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];
/** RFC 3454 B.1, commonly mapped to nothing. */
const MAPPED_TO_NOTHING: Range[] = [[0xad, 0xad], [0x34f, 0x34f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d], [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff]];
/** RFC 4013 section 2.3: C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9. */
const PROHIBITED: Range[] = [
    ...NON_ASCII_SPACE,
    [0x0, 0x1f], [0x7f, 0x7f],
    [0x80, 0x9f], [0x6dd, 0x6dd], [0x70f, 0x70f], [0x180e, 0x180e], [0x200c, 0x200d], [0x2028, 0x2029], [0x2060, 0x2063], [0x206a, 0x206f], [0xfeff, 0xfeff], [0xfff9, 0xfffc], [0x1d173, 0x1d17a],
    [0xe000, 0xf8ff], [0xf0000, 0xffffd], [0x100000, 0x10fffd],
    [0xfdd0, 0xfdef], ...Array.from({ length: 17 }, (_, plane): Range => [plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff]),
    [0xd800, 0xdfff],
    [0xfff9, 0xfffd],
    [0x2ff0, 0x2ffb],
    [0x340, 0x341], [0x200e, 0x200f], [0x202a, 0x202e],
    [0xe0001, 0xe0001], [0xe0020, 0xe007f],
];

const inRanges = (cp: number, ranges: readonly Range[]) => ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

// RFC 3454 D.1 (RandALCat) and D.2 (LCat), approximated by script: Hebrew, Arabic, Syriac,
// Thaana, N'Ko and the right-to-left presentation forms; letters of other scripts are LCat.
const RAND_AL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\u{fb1d}-\u{fdff}\u{fe70}-\u{fefc}]/u;
const L_CAT = /\p{L}/u;

/** The password a PostgreSQL client hashes: SASLprep'd, or unchanged when ASCII or when SASLprep rejects it. */
export function saslprep(password: string): string {
    if (/^[\x00-\x7f]*$/.test(password)) return password;
    let mapped = "";
    for (const ch of password) {
        const cp = ch.codePointAt(0)!;
        if (inRanges(cp, NON_ASCII_SPACE)) mapped += " ";
        else if (!inRanges(cp, MAPPED_TO_NOTHING)) mapped += ch;
    }
    const normalized = mapped.normalize("NFKC");
    const chars = [...normalized];
    if (chars.some((ch) => inRanges(ch.codePointAt(0)!, PROHIBITED))) return password;
    if (chars.some((ch) => /\p{Cn}/u.test(ch))) return password;
    if (chars.some((ch) => RAND_AL.test(ch))) {
        const isRandAL = (ch: string) => RAND_AL.test(ch);
        if (chars.some((ch) => !isRandAL(ch) && L_CAT.test(ch))) return password;
        if (!isRandAL(chars[0]) || !isRandAL(chars[chars.length - 1])) return password;
    }
    return normalized;
}

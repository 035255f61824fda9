// Which secrets a .env line can hold, from what their values can contain (never the values).
import { valueAlphabet } from "./encodings";
import { DotenvTraits, PlannedSecret, UncheckedProblem } from "./model";
import { Problems } from "./problems";
import { alphabetTraits, concatTraits, dotenvTraits, dotenvTraitsProblem } from "./dotenvLine";
import { TEMPLATE_FILTERS, TemplatePart } from "./template";

/** What the values of a derived secret can contain, from its template and inputs. */
export function templateTraits(template: TemplatePart[], inputs: (ref: string) => DotenvTraits): DotenvTraits {
    return concatTraits(
        ...template.map((p) => {
            if ("text" in p) return dotenvTraits(p.text);
            if (!p.filter) return inputs(p.ref);
            // The filters' output alphabets: encodeURIComponent keeps A-Z a-z 0-9 - _ . ! ~ * ' ( ).
            return alphabetTraits(TEMPLATE_FILTERS[p.filter](p.filter === "urlencode" ? "'" : ""));
        }),
    );
}

/**
 * Rejects .env stores that some value of their secret could not be written to. Without the
 * supplied values' traits (`supplied` undefined: the CLI does not decrypt), what depends on
 * a supplied value is checked only as far as the rest allows, and returned as unchecked.
 */
export function checkDotenvValues(
    order: string[],
    secrets: Map<string, PlannedSecret>,
    supplied: Readonly<Record<string, DotenvTraits>> | undefined,
    problems: Problems,
): UncheckedProblem[] {
    const traits = new Map<string, DotenvTraits>();
    /** The supplied secrets whose unknown traits a secret's value depends on. */
    const unknownFrom = new Map<string, string[]>();
    const unchecked: UncheckedProblem[] = [];
    const none: DotenvTraits = { lineBreak: false, singleQuote: false, doubleQuoteSpecial: false, endsWithBackslash: false };
    for (const name of order) {
        const s = secrets.get(name);
        if (!s) continue;
        const src = s.source;
        // An adopted value is a supplied one (later values are generated, and so always fit;
        // the adopted one, previous after the first bump, was checked here when adopted).
        const fromSupplied = src.kind === "supplied" || s.adopt;
        const t =
            fromSupplied
                ? (supplied?.[name] ?? none)
                : src.kind === "generate"
                  ? alphabetTraits(valueAlphabet(src.spec))
                  : src.kind === "issue"
                    ? // An access key id and its secret are letters, digits, "/" and "+" (IAM AccessKey).
                      none
                    : templateTraits(src.template, (ref) => traits.get(ref) ?? none);
        traits.set(name, t);
        const unknown =
            fromSupplied ? (supplied === undefined ? [name] : []) : src.kind === "derive" ? [...new Set(src.inputs.flatMap((n) => unknownFrom.get(n) ?? []))] : [];
        unknownFrom.set(name, unknown);
        const problem = dotenvTraitsProblem(t);
        s.stores.forEach((st, i) => {
            if (st.kind !== "dotenv") return;
            if (problem) problems.add(`secret ${name}`, `stores[${i}].dotenv`, `cannot hold this secret: ${problem}`);
            else if (unknown.length) {
                const of = unknown.length === 1 && unknown[0] === name ? "the supplied value" : `the supplied value of ${unknown.join(", ")}`;
                unchecked.push({ subject: `secret ${name}`, field: `stores[${i}].dotenv`, check: `whether ${of} fits a .env line: rekey reads no encrypted value here, pulumi up checks it before anything is written` });
            }
        });
    }
    return unchecked;
}

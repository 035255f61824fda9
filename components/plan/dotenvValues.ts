// Which secrets a .env line can hold, from what their values can contain (never the values).
import { valueAlphabet } from "./encodings";
import { DotenvTraits, PlannedSecret } from "./model";
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

/** Rejects .env stores that some value of their secret could not be written to. */
export function checkDotenvValues(
    order: string[],
    secrets: Map<string, PlannedSecret>,
    supplied: Readonly<Record<string, DotenvTraits>>,
    problems: Problems,
): void {
    const traits = new Map<string, DotenvTraits>();
    const none: DotenvTraits = { lineBreak: false, singleQuote: false, doubleQuoteSpecial: false, endsWithBackslash: false };
    for (const name of order) {
        const s = secrets.get(name);
        if (!s) continue;
        const src = s.source;
        const t =
            src.kind === "generate"
                ? alphabetTraits(valueAlphabet(src.spec))
                : src.kind === "supplied"
                  ? (supplied[name] ?? none)
                  : templateTraits(src.template, (ref) => traits.get(ref) ?? none);
        traits.set(name, t);
        const problem = dotenvTraitsProblem(t);
        if (!problem) continue;
        s.stores.forEach((st, i) => {
            if (st.kind === "dotenv") problems.add(`secret ${name}`, `stores[${i}].dotenv`, `cannot hold this secret: ${problem}`);
        });
    }
}

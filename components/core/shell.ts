// Shell quoting for the commands the stack prints (curlSimple, curlMutual, Kiali's commands), which the
// README tells users to `eval`. Any value that reaches such a command (a route prefix from config, a host
// from `ibmcloud` output, a Service name) goes through `shellQuote`, so it is one word of data and never
// shell syntax, whatever it holds.

/**
 * Characters that no POSIX shell treats specially anywhere in a word (POSIX XCU 2.2 "Quoting" lists the
 * special ones: | & ; < > ( ) $ ` \ " ' space tab newline, and * ? [ # ~ = % in some positions; `=` and
 * `%` are only special at the start of a word in an assignment or job spec, which a quoted command
 * argument never is, but keeping them quoted costs nothing). A word made only of these needs no quotes.
 * https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02
 */
const plainWord = /^[A-Za-z0-9_\-./:@,+]+$/;

/**
 * One shell word that stands for `value` exactly: unchanged when it has no special character, else in
 * single quotes, inside which nothing is special; a single quote itself is written as `'\''` (close,
 * escaped quote, reopen), the only way to put one in a single-quoted string (POSIX XCU 2.2.2).
 */
export function shellQuote(value: string): string {
    if (plainWord.test(value)) {
        return value;
    }
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

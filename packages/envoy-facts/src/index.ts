// What Envoy 1.39 accepts, measured on the Envoy binary itself: tables and checks
// that both the http plugin (a diagnostic on the user's field) and the validator in
// @attache/envoy (the last line of defence) need. Pure data and functions, no
// Attaché imports, so any plugin may depend on it.
export {
  envoyFormatCommands,
  envoyFormatCommandsWithLength,
  formatProblem,
  formatStringProblem,
} from './format-commands.js';
export { luaSyntaxProblem } from './lua-check.js';
export { re2CompileError } from './re2-compile.js';
export { re2ProgramSize } from './regex-program-size.js';
export {
  boringSslCipherNames,
  boringSslCurveNames,
  cipherSuiteProblem,
  ecdhCurveProblem,
} from './tls-names.js';

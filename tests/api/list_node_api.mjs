#!/usr/bin/env node
/**
 * Lists the public API of the Node package from its TypeScript sources, with the
 * TypeScript compiler API (no build needed), and prints it as JSON on stdout.
 *
 * Entries: packages/coresdk/src/index.ts (names as they are), otel.ts (`otel.` prefix,
 * the `coresdk/otel` entry), otel-logs.ts (`otelLogs.`, the `coresdk/otel-logs` entry) and cli.ts (`cli.` prefix, the `coresdk` command's module).
 * For each exported value: kind `function` / `class` / `const`, and `async` when a
 * function returns a Promise. For each exported class: its public methods, static
 * methods and getters (`kind: method | static | getter`, with `async`), and its public
 * fields (`kind: field`, listed for information only). Interfaces and type aliases are
 * listed with `kind: type`.
 *
 * Usage: node tests/api/list_node_api.mjs [repo-root]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..', '..'));
const pkg = path.join(root, 'packages', 'coresdk');
const require = createRequire(path.join(pkg, 'package.json'));
const ts = require('typescript');

/** Entry file name -> prefix given to its exported names. */
const ENTRIES = [
  ['index.ts', ''],
  ['otel.ts', 'otel.'],
  ['otel-logs.ts', 'otelLogs.'],
  ['cli.ts', 'cli.'],
];

/** True when `type` is a Promise (possibly in a union such as `Promise<T> | undefined`). */
function isPromise(type) {
  if (type.isUnion()) return type.types.some(isPromise);
  const sym = type.getSymbol();
  return sym !== undefined && sym.getName() === 'Promise';
}

/** True when a function-like declaration returns a Promise. */
function returnsPromise(checker, decl) {
  const sig = checker.getSignatureFromDeclaration(decl);
  return sig !== undefined && isPromise(checker.getReturnTypeOfSignature(sig));
}

/** True when a class member is not part of the public surface. */
function isHidden(member) {
  const mods = ts.getCombinedModifierFlags(member);
  if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return true;
  const name = member.name;
  return name === undefined || ts.isPrivateIdentifier(name);
}

/** The public members of a class declaration. */
function classMembers(checker, decl) {
  const out = new Map();
  for (const member of decl.members) {
    if (ts.isConstructorDeclaration(member) || isHidden(member)) continue;
    const name = member.name.getText();
    const isStatic = (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) !== 0;
    let kind;
    let isAsync = false;
    if (ts.isMethodDeclaration(member)) {
      kind = isStatic ? 'static' : 'method';
      isAsync = returnsPromise(checker, member);
    } else if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) {
      kind = 'getter';
    } else if (ts.isPropertyDeclaration(member)) {
      kind = 'field';
    } else {
      continue;
    }
    if (!out.has(name)) out.set(name, { name, kind, async: isAsync });
  }
  return [...out.values()];
}

/** Describes one exported symbol, or null for something that is not API. */
function describe(checker, exported, prefix) {
  let sym = exported;
  if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const decls = sym.getDeclarations() ?? [];
  const name = prefix + exported.getName();
  const cls = decls.find(ts.isClassDeclaration);
  if (cls) return { name, kind: 'class', members: classMembers(checker, cls) };
  const fn = decls.find(ts.isFunctionDeclaration);
  if (fn) return { name, kind: 'function', async: returnsPromise(checker, fn) };
  const v = decls.find(ts.isVariableDeclaration);
  if (v) {
    const type = checker.getTypeAtLocation(v);
    const sigs = type.getCallSignatures();
    if (sigs.length > 0) {
      return { name, kind: 'function', async: isPromise(sigs[0].getReturnType()) };
    }
    return { name, kind: 'const' };
  }
  if (decls.some((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d))) {
    return { name, kind: 'type' };
  }
  return { name, kind: 'other' };
}

function main() {
  const src = path.join(pkg, 'src');
  const files = ENTRIES.map(([file]) => path.join(src, file));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowJs: false,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const items = [];
  for (const [file, prefix] of ENTRIES) {
    const sf = program.getSourceFile(path.join(src, file));
    if (!sf) throw new Error(`cannot read ${file}`);
    const modSym = checker.getSymbolAtLocation(sf);
    if (!modSym) continue; // a file with no exports
    for (const exported of checker.getExportsOfModule(modSym)) {
      const item = describe(checker, exported, prefix);
      if (item) items.push(item);
    }
  }
  items.sort((a, b) => a.name.localeCompare(b.name));
  process.stdout.write(JSON.stringify(items, null, 2) + '\n');
}

main();

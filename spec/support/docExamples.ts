// Finds the TypeScript examples of the documentation: the ```ts blocks of a Markdown file, and the ```ts blocks
// inside the `@example` tags of a source file's doc comments.

/** A ```ts block of the documentation. */
export interface DocExample {
  /** The file the block is in, relative to the repository root (`README.md`, `src/circuitBreaker.ts`). */
  readonly file: string;
  /** The 1-based line, in `file`, of the block's first code line. */
  readonly line: number;
  /** The code, one entry per line of `file` from `line` on (doc comment lines without their leading ` * `). */
  readonly lines: readonly string[];
  /**
   * The file name the block gives itself in a first-line comment (`// telemetry.ts: ...`), so that another block of
   * the same file can import it (`import './telemetry.js'`).
   */
  readonly name?: string;
}

/** A ```ts block marked `<!-- doc-example: skip (reason) -->`: not standalone code, deliberately. */
export interface SkippedExample {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface FoundExamples {
  readonly examples: readonly DocExample[];
  readonly skipped: readonly SkippedExample[];
}

interface SourceLine {
  readonly text: string;
  /** 1-based, in the original file. */
  readonly line: number;
}

interface FencedBlock {
  /** The first word of the info string: `ts`, `sh`, `''`. */
  readonly lang: string;
  /** The line of the opening fence. */
  readonly fenceLine: number;
  readonly code: readonly SourceLine[];
  /** The last non-blank line before the opening fence. */
  readonly before?: string;
  /** The last block tag (`@example`, `@public`) met outside a fence before the block. */
  readonly tag?: string;
}

const skipMarker = /^<!--\s*doc-example:\s*skip\s*\((.+)\)\s*-->$/;
const fileNameComment = /^\/\/\s*([\w.-]+\.ts)\b/;

/** The ```ts blocks of a Markdown file. */
export function markdownExamples(file: string, text: string): FoundExamples {
  const lines = text.split(/\r?\n/).map((line, index) => ({ text: line, line: index + 1 }));
  return examplesOf(file, fencedBlocks(file, lines));
}

/** The ```ts blocks inside the `@example` tags of a TypeScript file's doc comments. */
export function tsdocExamples(file: string, text: string): FoundExamples {
  const blocks: FencedBlock[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = text.slice(0, comment.index).split('\n').length;
    const lines = comment[0]
      .split(/\r?\n/)
      .map((line, index) => ({ text: uncomment(line), line: firstLine + index }));
    blocks.push(...fencedBlocks(file, lines).filter((block) => block.tag === '@example'));
  }
  return examplesOf(file, blocks);
}

/** A doc comment line without its `/**`, ` * ` or `*\/`. */
function uncomment(line: string): string {
  return line
    .replace(/^\s*\/\*\*\s?/, '')
    .replace(/\s*\*\/$/, '')
    .replace(/^\s*\* ?/, '');
}

function examplesOf(file: string, blocks: readonly FencedBlock[]): FoundExamples {
  const examples: DocExample[] = [];
  const skipped: SkippedExample[] = [];
  for (const block of blocks) {
    const skip = skipMarker.exec(block.before ?? '');
    if (block.lang !== 'ts') {
      if (skip) throw new Error(`${file}:${block.fenceLine}: a skip marker before a non-ts block`);
      continue;
    }
    const line = block.fenceLine + 1;
    if (skip) {
      skipped.push({ file, line, reason: skip[1] });
      continue;
    }
    const lines = block.code.map((code) => code.text);
    const name = fileNameComment.exec(lines[0] ?? '')?.[1];
    examples.push(name === undefined ? { file, line, lines } : { file, line, lines, name });
  }
  return { examples, skipped };
}

/** The fenced code blocks (``` or ~~~) of Markdown lines, with the code's indentation up to the fence's removed. */
function fencedBlocks(file: string, lines: readonly SourceLine[]): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let before: string | undefined;
  let tag: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const { text, line } = lines[index];
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
    if (!open) {
      if (text.trim() !== '') before = text.trim();
      tag = /^@\w+/.exec(text.trim())?.[0] ?? tag;
      continue;
    }
    const [, indent, fence, lang] = open;
    const close = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
    const code: SourceLine[] = [];
    for (index++; ; index++) {
      if (index === lines.length) throw new Error(`${file}:${line}: the code block is not closed`);
      const inner = lines[index];
      if (close.test(inner.text)) break;
      code.push({ ...inner, text: inner.text.replace(new RegExp(`^ {0,${indent.length}}`), '') });
    }
    blocks.push({ lang, fenceLine: line, code, before, tag });
    before = undefined;
  }
  return blocks;
}

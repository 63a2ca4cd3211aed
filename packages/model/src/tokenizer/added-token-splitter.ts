// Splits text around added tokens ("<s>", "</s>", "<unk>", control tokens) the
// way the library's DictionarySplitter does: scanning left to right, at each
// position the longest added token starting there is cut out; text between
// tokens is left for the model. Positions are UTF-16 code units.

interface TrieNode {
  children: Map<number, TrieNode>;
  /** id of the added token ending here, or -1. */
  id: number;
  /** length in code units of that token. */
  length: number;
}

export class AddedTokenSplitter {
  private readonly root: TrieNode = { children: new Map(), id: -1, length: 0 };
  /** First code units of the tokens, to skip most positions without a Map lookup. */
  private readonly firstUnits = new Uint8Array(65536);
  readonly empty: boolean;

  constructor(tokens: ReadonlyMap<string, number>) {
    for (const [content, id] of tokens) {
      let node = this.root;
      for (let i = 0; i < content.length; i++) {
        const unit = content.charCodeAt(i);
        let child = node.children.get(unit);
        if (child === undefined) {
          child = { children: new Map(), id: -1, length: 0 };
          node.children.set(unit, child);
        }
        node = child;
      }
      node.id = id;
      node.length = content.length;
      this.firstUnits[content.charCodeAt(0)] = 1;
    }
    this.empty = tokens.size === 0;
  }

  /**
   * Calls `onText(start, end)` for each stretch of plain text and `onToken(id)`
   * for each added token, in order, with the running section index the library
   * passes to its pre-tokenizer.
   */
  split(text: string, onText: (start: number, end: number, section: number) => void, onToken: (id: number) => void): void {
    let section = 0;
    let start = 0;
    const n = text.length;
    if (!this.empty) {
      let i = 0;
      while (i < n) {
        if (this.firstUnits[text.charCodeAt(i)] === 0) {
          i++;
          continue;
        }
        let node: TrieNode | undefined = this.root;
        let matchId = -1;
        let matchLength = 0;
        for (let j = i; j < n; j++) {
          node = node.children.get(text.charCodeAt(j));
          if (node === undefined) break;
          if (node.id >= 0) {
            matchId = node.id;
            matchLength = node.length;
          }
        }
        if (matchId < 0) {
          i++;
          continue;
        }
        if (i > start) onText(start, i, section++);
        onToken(matchId);
        section++;
        i += matchLength;
        start = i;
      }
    }
    if (start < n) onText(start, n, section);
  }
}

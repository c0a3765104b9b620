/**
 * Thrown by a handler that keeps its own positions when a batch starts past the position it has
 * stored (a commit of its was lost, say): the bus delivers again from `offset`, and skips nothing.
 */
export class RewindTo extends Error {
  override readonly name = 'RewindTo';
  constructor(readonly offset: number) {
    super(`rewind to offset ${offset}`);
  }
}

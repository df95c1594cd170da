/** Minimal ANSI styling that switches itself off when the stream is not a colour terminal. */
export function paint(stream: NodeJS.WriteStream, noColor = false) {
  const on = stream.isTTY === true && !noColor
  const wrap = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    cyan: wrap(36, 39),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
  }
}

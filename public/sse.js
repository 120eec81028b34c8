// A Server-Sent Events parser for fetch() bodies (EventSource cannot POST). Follows the HTML spec's line rules:
// LF, CR or CRLF line ends; `field: value` with one optional space; comment lines start with ':'; a blank line
// dispatches the event, whose data lines are joined with '\n'.

export function createSseParser(onMessage) {
  let buffer = '';
  let eventName = '';
  let dataLines = [];

  function dispatch() {
    if (dataLines.length > 0) onMessage({ event: eventName === '' ? 'message' : eventName, data: dataLines.join('\n') });
    eventName = '';
    dataLines = [];
  }

  function processLine(line) {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') dataLines.push(value);
    return undefined;
  }

  return {
    feed(text) {
      buffer += text;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (match === null) return;
        // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
        if (match[0] === '\r' && match.index === buffer.length - 1) return;
        processLine(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
    /** At end of stream: an unterminated final event is dropped, as the spec says. */
    end() {
      buffer = '';
      eventName = '';
      dataLines = [];
    },
  };
}

/** Reads a fetch Response body as SSE, calling onMessage for each event; resolves when the body ends. */
export async function readSse(response, onMessage) {
  const parser = createSseParser(onMessage);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  parser.feed(decoder.decode());
  parser.end();
}

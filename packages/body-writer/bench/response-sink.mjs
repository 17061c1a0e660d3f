// A minimal coalescing BodySink over a node:http ServerResponse, written for the
// benchmark (the adapter's own sink lives in @plinth/node). Strings are gathered
// until 16 KiB, or until the producer pauses (setImmediate); bytes of 16 KiB or more
// go straight through. write() returns a promise only when res.write said "wait".

const COALESCE = 16 * 1024;

/** @param {import('node:http').ServerResponse} res */
export function responseSink(res) {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) {
      controller.abort(Object.assign(new Error('client left'), { code: 'CLIENT_DISCONNECT' }));
    }
  });
  let text = '';
  /** @type {Uint8Array[]} */
  let bytes = [];
  let bytesLength = 0;
  let scheduled = false;

  const drained = () =>
    new Promise((resolve, reject) => {
      const onDrain = () => {
        res.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        res.off('drain', onDrain);
        reject(controller.signal.reason ?? new Error('response closed'));
      };
      res.once('drain', onDrain);
      res.once('close', onClose);
    });

  /** @returns {boolean} false when the socket asked us to wait */
  const push = () => {
    let ok = true;
    if (bytesLength !== 0) {
      ok = res.write(bytes.length === 1 ? bytes[0] : Buffer.concat(bytes, bytesLength));
      bytes = [];
      bytesLength = 0;
    }
    if (text.length !== 0) {
      ok = res.write(text) && ok;
      text = '';
    }
    return ok;
  };
  const onImmediate = () => {
    scheduled = false;
    if (!res.destroyed) push();
  };

  return {
    signal: controller.signal,
    flush() {
      push();
    },
    /** @param {string | Uint8Array} chunk */
    write(chunk) {
      if (typeof chunk === 'string') {
        if (bytesLength !== 0) push();
        text += chunk;
        if (text.length < COALESCE) {
          if (!scheduled) {
            scheduled = true;
            setImmediate(onImmediate);
          }
          return undefined;
        }
      } else {
        if (text.length !== 0) push();
        if (chunk.byteLength < COALESCE) {
          bytes.push(chunk);
          bytesLength += chunk.byteLength;
          if (bytesLength < COALESCE) {
            if (!scheduled) {
              scheduled = true;
              setImmediate(onImmediate);
            }
            return undefined;
          }
        } else {
          bytes.push(chunk);
          bytesLength += chunk.byteLength;
        }
      }
      return push() ? undefined : drained();
    },
    /** Pushes what is left and ends the response. */
    end() {
      push();
      res.end();
    },
  };
}

// The demo page's script: plain browser JavaScript, no build step.
// Each panel opens one stream and shows what arrives, as it arrives.

const $ = (id) => document.getElementById(id);

function setState(el, state, label = state) {
  el.dataset.state = state;
  el.textContent = label;
}

// EventSource states, shown in a panel's pill. The browser reconnects by itself
// after an error, sending Last-Event-ID with the last id it saw.
function watchConnection(source, pill) {
  source.addEventListener('open', () => setState(pill, 'open', 'live'));
  source.addEventListener('error', () => {
    setState(
      pill,
      source.readyState === EventSource.CLOSED ? 'error' : 'connecting',
      source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting',
    );
  });
}

// Clock: GET /events/clock, one "tick" event per second.
function startClock() {
  const source = new EventSource('/events/clock');
  watchConnection(source, $('clock-status'));
  let count = 0;
  source.addEventListener('tick', (event) => {
    const tick = JSON.parse(event.data);
    count += 1;
    $('clock-time').textContent = new Date(tick.time).toLocaleTimeString([], { hour12: false });
    $('clock-id').textContent = event.lastEventId;
    $('clock-count').textContent = String(count);
  });
}

// Chat: messages arrive on GET /chat/events; the form POSTs to /chat/messages.
// Every event is shown as it comes: the server's replay after a reconnection
// must not repeat one, and the browser tests check that.
function startChat() {
  const list = $('chat-messages');
  const source = new EventSource('/chat/events');
  watchConnection(source, $('chat-status'));
  source.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    $('chat-empty')?.remove();
    const item = document.createElement('li');
    item.dataset.id = event.lastEventId;
    const time = document.createElement('time');
    time.dateTime = message.time;
    time.textContent = new Date(message.time).toLocaleTimeString([], { hour12: false });
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = message.user;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = message.text;
    item.append(time, who, text);
    list.append(item);
    list.scrollTop = list.scrollHeight;
  });

  // The hub's answer to a Last-Event-ID it no longer holds (or never issued, after
  // a restart without a shared log): messages were missed.
  source.addEventListener('reset', () => {
    const item = document.createElement('li');
    item.className = 'notice';
    item.textContent = 'Some messages were missed while this page was away.';
    list.append(item);
  });

  const form = $('chat-form');
  const user = $('chat-user');
  const text = $('chat-text');
  const error = $('chat-error');
  user.value = localStorage.getItem('plinth-demo-user') ?? '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    localStorage.setItem('plinth-demo-user', user.value);
    try {
      const response = await fetch('/chat/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: user.value, text: text.value }),
      });
      if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
      text.value = '';
      text.focus();
    } catch (e) {
      error.textContent = `Not sent. ${e instanceof Error ? e.message : String(e)}`;
      error.hidden = false;
    }
  });
}

// Range: fetch() hands the body over chunk by chunk; the preview shows the first
// few thousand characters and counts every byte.
function startRange() {
  const output = $('range-output');
  const status = $('range-status');
  const stop = $('range-stop');
  const start = $('range-start');
  let controller;
  const shown = 4000;

  $('range-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    controller?.abort();
    controller = new AbortController();
    const limit = $('range-limit').value;
    output.textContent = '';
    $('range-bytes').textContent = '0';
    $('range-first').textContent = '–';
    $('range-total').textContent = '–';
    setState(status, 'streaming');
    stop.disabled = false;
    start.disabled = true;
    const began = performance.now();
    let bytes = 0;
    let text = '';
    try {
      const response = await fetch(`/range?limit=${encodeURIComponent(limit)}`, {
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let turn = performance.now();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (bytes === 0)
          $('range-first').textContent = `${Math.round(performance.now() - began)} ms`;
        bytes += value.byteLength;
        if (text.length < shown) {
          text += decoder.decode(value, { stream: true });
          output.textContent = text.length > shown ? `${text.slice(0, shown)} …` : text;
        }
        if (performance.now() - turn > 16) {
          // Reads of chunks that already arrived resolve as microtasks, one after
          // another: on a fast stream the page would never get to a click (Stop)
          // or a repaint. Once a frame, show the count and give the page a turn.
          $('range-bytes').textContent = bytes.toLocaleString('en');
          await new Promise((resolve) => setTimeout(resolve, 0));
          turn = performance.now();
        }
      }
      $('range-bytes').textContent = bytes.toLocaleString('en');
      setState(status, 'done');
    } catch (e) {
      if (controller.signal.aborted) setState(status, 'idle', 'stopped');
      else {
        setState(status, 'error');
        output.textContent = e instanceof Error ? e.message : String(e);
      }
    } finally {
      $('range-total').textContent = `${Math.round(performance.now() - began)} ms`;
      stop.disabled = true;
      start.disabled = false;
    }
  });
  stop.addEventListener('click', () => controller?.abort());
}

startClock();
startChat();
startRange();

// The page shell: the notice area, the API token panel and the Episode/Policy tabs.
import { ApiError, getToken, setToken } from './api.js';
import { byId } from './dom.js';

export function showNotice(message, kind = 'error') {
  const notice = byId('notice');
  notice.className = `notice ${kind}`;
  notice.textContent = message;
  notice.hidden = false;
}

export function clearNotice() {
  byId('notice').hidden = true;
}

export function openTokenPanel() {
  byId('token-panel').open = true;
  byId('token-input').focus();
}

/** Shows any failure as a readable notice; a 401 also opens the token panel. */
export function reportError(err) {
  if (err?.name === 'AbortError') {
    showNotice('Stopped.', 'info');
    return;
  }
  showNotice(err?.message ?? String(err));
  if (err instanceof ApiError && err.status === 401) openTokenPanel();
}

function describeToken() {
  byId('token-state').textContent = getToken() === '' ? 'No token set.' : 'A token is set for this browser tab.';
}

/** The token form: saving stores the token for this tab and calls onSaved (to reload what failed). */
export function bindToken(onSaved) {
  describeToken();
  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(byId('token-input').value.trim());
    byId('token-input').value = '';
    describeToken();
    byId('token-panel').open = false;
    clearNotice();
    onSaved();
  });
  byId('token-clear').addEventListener('click', () => {
    setToken('');
    describeToken();
  });
}

function selectTab(tab, onSelect) {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const isSelected = t === tab;
    t.setAttribute('aria-selected', String(isSelected));
    t.tabIndex = isSelected ? 0 : -1;
    byId(t.getAttribute('aria-controls')).hidden = !isSelected;
  }
  onSelect(tab.id);
}

/** Tabs as the ARIA pattern has them: click, or Left/Right arrows move and select. */
export function bindTabs(onSelect) {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectTab(tab, onSelect));
    tab.addEventListener('keydown', (event) => {
      const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (delta === 0) return;
      const next = tabs[(tabs.indexOf(tab) + delta + tabs.length) % tabs.length];
      next.focus();
      selectTab(next, onSelect);
    });
  }
}

// Oikos's one script: start the NHS.UK frontend components. Pages work
// without it; it only adds the design system's enhancements.
import { initAll } from './vendor/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// Forms that ask for confirmation (deactivate, sign out everywhere).
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault()
  })
}

// A printable page's "Print this page" button, hidden until this script
// can make it work; without it the browser's own Print does the same.
for (const button of document.querySelectorAll('button[data-print]')) {
  button.hidden = false
  button.addEventListener('click', () => window.print())
}

// An import's progress bar, kept current while a job reads or commits the file: asks the page's Progress handler
// every second and a half, moves the bar, and reloads the page once the job has finished. Without JavaScript the
// page's "Check progress" link does the same by hand.
export function initImportProgress (element) {
  const bar = element.querySelector('progress')
  const text = element.querySelector('[data-progress-text]')
  const label = element.querySelector('[data-progress-label]')
  const url = element.getAttribute('data-import-progress')
  const tick = async () => {
    let state
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (!response.ok) throw new Error(String(response.status))
      state = await response.json()
    } catch {
      setTimeout(tick, 5000)
      return
    }

    if (!state.running) {
      window.location.reload()
      return
    }

    bar.value = state.percent
    bar.textContent = `${state.percent}%`
    label.textContent = `${state.percent}%`
    text.textContent = `${state.done.toLocaleString('en-GB')} of about ${state.total.toLocaleString('en-GB')} rows.`
    setTimeout(tick, 1500)
  }
  setTimeout(tick, 1500)
}

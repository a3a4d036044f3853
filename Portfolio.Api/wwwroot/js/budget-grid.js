// The budget grid's running totals: each row's, each period's and the whole budget's, and what of the award is
// left, kept up to date as amounts are typed. Only a guide: the server reads the amounts and Core checks them.
// Arithmetic is in whole pence (integers), never floating-point pounds.

const penceOf = (text) => {
  const match = /^\s*(-)?\s*£?\s*(-)?\s*(\d{1,3}(?:,\d{3})*|\d+)?(?:\.(\d{0,2}))?\s*$/.exec(text || '')
  if (!match || (match[3] === undefined && match[4] === undefined)) return 0
  const pounds = parseInt((match[3] || '0').replace(/,/g, ''), 10)
  const pence = parseInt(((match[4] || '') + '00').slice(0, 2), 10)
  const sign = (match[1] || match[2]) ? -1 : 1
  return sign * (pounds * 100 + pence)
}

const format = (pence) => {
  const sign = pence < 0 ? '-' : ''
  const abs = Math.abs(pence)
  const pounds = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}£${pounds}.${(abs % 100).toString().padStart(2, '0')}`
}

export function initBudgetGrid (grid) {
  const award = parseInt(grid.dataset.award, 10)
  const cells = [...grid.querySelectorAll('input[data-category]')]
  const update = () => {
    const rows = {}
    const columns = {}
    let total = 0
    for (const cell of cells) {
      const pence = penceOf(cell.value)
      rows[cell.dataset.category] = (rows[cell.dataset.category] || 0) + pence
      columns[cell.dataset.period] = (columns[cell.dataset.period] || 0) + pence
      total += pence
    }
    for (const el of grid.querySelectorAll('[data-row-total]')) el.textContent = format(rows[el.dataset.rowTotal] || 0)
    for (const el of grid.querySelectorAll('[data-column-total]')) el.textContent = format(columns[el.dataset.columnTotal] || 0)
    for (const el of document.querySelectorAll('[data-grand-total]')) el.textContent = format(total)
    for (const el of document.querySelectorAll('[data-unallocated]')) el.textContent = format(award - total)
  }
  grid.addEventListener('input', update)
}

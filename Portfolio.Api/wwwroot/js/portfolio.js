// Marks the page as able to run GOV.UK Frontend's scripts, then starts its components (error summary focus,
// and so on). An external module, as the Content-Security-Policy allows no inline script.
import { initAll } from '/vendor/govuk-frontend/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

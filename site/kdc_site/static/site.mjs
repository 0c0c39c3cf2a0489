// Starts GOV.UK Frontend's components (header menu, accordions, buttons …).
import { initAll } from "./govuk-frontend.min.js";

initAll();

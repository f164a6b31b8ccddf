// The home page's address search: suggestions as you type (suggestions.js); choosing one opens
// its property page. The form still works with no JavaScript: it submits to the server, which
// lists the results.
import { attachSuggestions } from "/static/map_ui/suggestions.js";

const form = document.querySelector("form.search");
const input = form.querySelector("input[role=combobox]");

attachSuggestions({
  input,
  list: form.querySelector("[role=listbox]"),
  status: form.querySelector("[data-search-status]"),
  url: form.dataset.searchUrl,
  noRecord: form.dataset.noRecord,
  choose: (item) => {
    // An address with no property record has no page: the results page says so.
    if (!item.url) { input.value = item.label; form.submit(); return; }
    window.location.href = item.url; // in the page's language: the API was asked in it
  },
});

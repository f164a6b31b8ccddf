// Reading the site's JSON API from a page. The API answers in the language asked for
// (core/api_language.py): the page's, not the browser's, so that what it writes (category
// names, statuses, the addresses of pages) is in the page's language.
export function apiHeaders() {
  return { Accept: "application/json", "Accept-Language": document.documentElement.lang || "fr" };
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: apiHeaders() });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

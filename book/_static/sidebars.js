// The sidebar buttons a phone shows open their sidebars.
//
// pydata-sphinx-theme 0.17 opens a sidebar as a dialog from the first button
// of class primary-toggle (secondary-toggle) on the page, which is now its own,
// in a header that sphinx-book-theme hides; the buttons a reader sees, the
// book theme's, then do nothing on a narrow screen (pydata-sphinx-theme issue
// 2451). Each visible button passes its click on to the theme's. On a wide
// screen the book theme's own handler, which runs first, folds the primary
// sidebar away and stops the click there.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const [opener, ...others] = document.querySelectorAll(`.${kind}-toggle`);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        opener.click();
      });
    }
  }
});

// The plan form: the "post" field belongs to a disposal card only (第十九条); hide it
// for the other plan types so a phone shows only what matters.
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  var post = document.getElementById("id_post");
  if (!kind || !post) return;
  var field = post.closest(".field");
  function sync() {
    if (!field) return;
    var card = kind.value === "card";
    field.classList.toggle("plan-hidden", !card && !post.value);
  }
  kind.addEventListener("change", sync);
  sync();
})();

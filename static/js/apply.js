// The application form works without this script. With it, the district list shows
// only the chosen province's districts, and the branch serving the district is
// preselected until the applicant picks a branch themselves.
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
  var province = document.getElementById("id_province");
  var district = document.getElementById("id_district");
  var branch = document.getElementById("id_preferred_branch");
  var mapping = document.getElementById("district-branches");
  if (!province || !district || !branch || !mapping) return;
  var branchOf = JSON.parse(mapping.textContent);
  var groups = Array.prototype.map.call(district.querySelectorAll("optgroup"), function (group) {
    return { label: group.label, options: Array.prototype.slice.call(group.children) };
  });
  var placeholder = district.querySelector("option[value='']");
  var branchTouched = branch.value !== "";

  function showDistrictsOf(provinceLabel) {
    var selected = district.value;
    district.innerHTML = "";
    if (placeholder) district.appendChild(placeholder);
    groups.forEach(function (group) {
      if (group.label !== provinceLabel) return;
      group.options.forEach(function (option) { district.appendChild(option); });
    });
    district.value = selected;
    if (district.value !== selected) district.value = "";
  }

  province.addEventListener("change", function () {
    showDistrictsOf(province.options[province.selectedIndex].text);
  });
  district.addEventListener("change", function () {
    var suggested = branchOf[district.value];
    if (!branchTouched && suggested) branch.value = String(suggested);
  });
  branch.addEventListener("change", function () { branchTouched = true; });
  if (province.value) showDistrictsOf(province.options[province.selectedIndex].text);
})();

#include "discord/route_again.hpp"

#include <vector>

namespace cadence::discord::detail {

Route parse_again(Method method, std::string_view encoded_path, const RouteOptions& options,
                  std::string_view request_class) {
  auto route = Route::parse(method, encoded_path, options);
  if (!request_class.empty()) {
    // A class is its fields sorted, without duplicates, joined by ',' (a ',' inside a field
    // became '_'), so splitting it gives set_body_fields what makes the same class again.
    std::vector<std::string_view> fields;
    for (auto comma = request_class.find(','); comma != std::string_view::npos;
         comma = request_class.find(',')) {
      fields.push_back(request_class.substr(0, comma));
      request_class.remove_prefix(comma + 1);
    }
    fields.push_back(request_class);
    route.set_body_fields(fields);
  }
  return route;
}

}  // namespace cadence::discord::detail

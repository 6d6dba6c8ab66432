#include "schema/connect_schema.h"

namespace siphon::schema {

const char* connect_type_name(ConnectType type) {
  switch (type) {
    case ConnectType::kInt8:
      return "int8";
    case ConnectType::kInt16:
      return "int16";
    case ConnectType::kInt32:
      return "int32";
    case ConnectType::kInt64:
      return "int64";
    case ConnectType::kFloat32:
      return "float";
    case ConnectType::kFloat64:
      return "double";
    case ConnectType::kBoolean:
      return "boolean";
    case ConnectType::kString:
      return "string";
    case ConnectType::kBytes:
      return "bytes";
    case ConnectType::kStruct:
      return "struct";
    case ConnectType::kArray:
      return "array";
    case ConnectType::kMap:
      return "map";
  }
  return "string";
}

}  // namespace siphon::schema

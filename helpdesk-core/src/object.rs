//! Reading a nested struct only from an object: serde would also fill a struct from a
//! sequence (`[]` for a struct whose fields all have defaults), which no client of the
//! JSON API means and the OpenAPI document does not allow.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// `#[serde(deserialize_with = "crate::object::only")]`: the field's value must be an
/// object (a map); anything else is refused with serde's "invalid type" error.
pub(crate) fn only<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Object<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Object<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }

    de.deserialize_map(Object(PhantomData))
}

#[cfg(test)]
mod tests {
    use crate::service_level::ServiceLevelPolicy;
    use crate::tenant::TenantSettings;

    #[test]
    fn nested_settings_are_read_from_objects_only() {
        for bad in [
            r#"{"targets": []}"#,
            r#"{"targets": {"normal": []}}"#,
            r#"{"calendar": []}"#,
            r#"{"calendar": {"time_zone": "Europe/Paris", "week": []}}"#,
        ] {
            assert!(
                serde_json::from_str::<ServiceLevelPolicy>(bad).is_err(),
                "{bad} must be refused"
            );
        }
        let good = r#"{"targets": {"normal": {"resolution": 3600}}}"#;
        assert!(serde_json::from_str::<ServiceLevelPolicy>(good).is_ok());
        let Ok(mut settings) = serde_json::to_value(TenantSettings::default()) else {
            panic!("default settings serialise");
        };
        assert!(serde_json::from_value::<TenantSettings>(settings.clone()).is_ok());
        settings["service_levels"] = serde_json::json!([]);
        assert!(serde_json::from_value::<TenantSettings>(settings).is_err());
    }
}

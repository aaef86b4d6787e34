//! Node locations as H3 cells.

use h3o::{LatLng, Resolution};

/// The H3 resolution of [`NodeRecord::h3_res5`](crate::NodeRecord::h3_res5): cells of about
/// 250 km², fine enough to tell metro areas apart, coarse enough not to pin down a home.
pub const H3_RESOLUTION: u8 = 5;

/// A latitude/longitude that has no H3 cell.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum LocationError {
    /// Not a finite number in [-90, 90].
    #[error("latitude {0} is not a number in [-90, 90]")]
    Latitude(f64),
    /// Not a finite number in [-180, 180].
    #[error("longitude {0} is not a number in [-180, 180]")]
    Longitude(f64),
}

/// The H3 index (15 lowercase hex digits) of the resolution-5 cell holding `lat`, `lng`
/// (degrees). Out-of-range or non-finite coordinates are errors.
pub fn h3_res5(lat: f64, lng: f64) -> Result<String, LocationError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(LocationError::Latitude(lat));
    }
    if !(-180.0..=180.0).contains(&lng) {
        return Err(LocationError::Longitude(lng));
    }
    let point = LatLng::new(lat, lng).map_err(|_| LocationError::Latitude(lat))?;
    Ok(point.to_cell(Resolution::Five).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected cells computed independently with Uber's C library through the `h3` Python
    /// package (4.5.0): `h3.latlng_to_cell(lat, lng, 5)`.
    #[test]
    fn known_places_lie_in_the_cells_ubers_h3_library_computes() {
        let cases = [
            (52.37, 4.9, "85196953fffffff"),         // Amsterdam
            (40.7128, -74.006, "852a1073fffffff"),   // New York
            (-33.8688, 151.2093, "85be0e37fffffff"), // Sydney
            (0.0, 0.0, "85754e67fffffff"),           // null island
            (90.0, 0.0, "85032623fffffff"),          // north pole
            (-90.0, 180.0, "85f29383fffffff"),       // south pole, antimeridian
        ];
        for (lat, lng, cell) in cases {
            assert_eq!(h3_res5(lat, lng).unwrap(), cell, "({lat}, {lng})");
        }
    }

    #[test]
    fn coordinates_out_of_range_are_errors_not_panics() {
        assert_eq!(h3_res5(90.5, 0.0), Err(LocationError::Latitude(90.5)));
        assert_eq!(h3_res5(-91.0, 0.0), Err(LocationError::Latitude(-91.0)));
        assert_eq!(h3_res5(0.0, 180.01), Err(LocationError::Longitude(180.01)));
        assert_eq!(h3_res5(0.0, -200.0), Err(LocationError::Longitude(-200.0)));
        assert!(matches!(h3_res5(f64::NAN, 0.0), Err(LocationError::Latitude(_))));
        assert!(matches!(h3_res5(0.0, f64::INFINITY), Err(LocationError::Longitude(_))));
        assert_eq!(LocationError::Latitude(91.0).to_string(), "latitude 91 is not a number in [-90, 90]");
    }
}

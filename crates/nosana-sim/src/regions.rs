//! Where nodes are: population and data-centre regions with weights and spreads. Tight
//! data-centre regions and operators' shared sites crowd a few H3 res-5 cells; wide rural
//! regions leave many cells with a single node.

use crate::rng::{SimRng, cumulative};

/// A region nodes are drawn around.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Region {
    /// Where it is.
    pub name: &'static str,
    /// Centre latitude in degrees.
    pub lat: f64,
    /// Centre longitude in degrees.
    pub lng: f64,
    /// Standard deviation of the distance from the centre, in km.
    pub spread_km: f64,
    /// Relative share of sites.
    pub weight: f64,
    /// ISO 3166-1 numeric country code.
    pub country: u16,
    /// ISO 3166-1 alpha-2 country code.
    pub alpha2: &'static str,
}

const fn r(
    name: &'static str,
    lat: f64,
    lng: f64,
    spread_km: f64,
    weight: f64,
    country: u16,
    alpha2: &'static str,
) -> Region {
    Region { name, lat, lng, spread_km, weight, country, alpha2 }
}

/// The regions, weighted toward where GPU hosts are (North America and Europe first).
pub const REGIONS: &[Region] = &[
    r("Ashburn (data centres)", 39.04, -77.49, 8.0, 5.0, 840, "US"),
    r("New York", 40.71, -74.01, 40.0, 5.0, 840, "US"),
    r("Dallas", 32.78, -96.80, 45.0, 3.0, 840, "US"),
    r("Los Angeles", 34.05, -118.24, 50.0, 4.0, 840, "US"),
    r("Chicago", 41.88, -87.63, 40.0, 3.0, 840, "US"),
    r("Seattle", 47.61, -122.33, 35.0, 2.0, 840, "US"),
    r("Atlanta", 33.75, -84.39, 40.0, 2.0, 840, "US"),
    r("US heartland (rural)", 39.0, -96.0, 450.0, 3.0, 840, "US"),
    r("Toronto", 43.65, -79.38, 35.0, 2.0, 124, "CA"),
    r("Montreal", 45.50, -73.57, 30.0, 1.0, 124, "CA"),
    r("Amsterdam (data centres)", 52.37, 4.90, 10.0, 6.0, 528, "NL"),
    r("Netherlands", 52.1, 5.3, 60.0, 3.0, 528, "NL"),
    r("Frankfurt (data centres)", 50.11, 8.68, 10.0, 4.0, 276, "DE"),
    r("Germany", 51.0, 10.0, 180.0, 5.0, 276, "DE"),
    r("London", 51.51, -0.13, 35.0, 4.0, 826, "GB"),
    r("Paris", 48.86, 2.35, 35.0, 3.0, 250, "FR"),
    r("Warsaw", 52.23, 21.01, 40.0, 2.0, 616, "PL"),
    r("Stockholm", 59.33, 18.07, 40.0, 1.0, 752, "SE"),
    r("Helsinki", 60.17, 24.94, 40.0, 1.0, 246, "FI"),
    r("Madrid", 40.42, -3.70, 50.0, 1.5, 724, "ES"),
    r("Milan", 45.46, 9.19, 40.0, 1.5, 380, "IT"),
    r("Bucharest", 44.43, 26.10, 40.0, 1.5, 642, "RO"),
    r("Kyiv", 50.45, 30.52, 50.0, 1.0, 804, "UA"),
    r("Istanbul", 41.01, 28.98, 40.0, 1.0, 792, "TR"),
    r("Singapore (data centres)", 1.35, 103.82, 8.0, 2.0, 702, "SG"),
    r("Tokyo", 35.68, 139.69, 40.0, 1.5, 392, "JP"),
    r("Seoul", 37.57, 126.98, 30.0, 1.0, 410, "KR"),
    r("Hong Kong", 22.32, 114.17, 12.0, 1.0, 344, "HK"),
    r("Mumbai", 19.08, 72.88, 40.0, 1.0, 356, "IN"),
    r("Bangalore", 12.97, 77.59, 35.0, 1.0, 356, "IN"),
    r("Ho Chi Minh City", 10.82, 106.63, 35.0, 1.0, 704, "VN"),
    r("Manila", 14.60, 120.98, 35.0, 0.5, 608, "PH"),
    r("Jakarta", -6.21, 106.85, 40.0, 0.5, 360, "ID"),
    r("Sydney", -33.87, 151.21, 40.0, 1.0, 36, "AU"),
    r("Sao Paulo", -23.55, -46.63, 50.0, 1.5, 76, "BR"),
    r("Buenos Aires", -34.60, -58.38, 40.0, 0.5, 32, "AR"),
    r("Lagos", 6.52, 3.38, 40.0, 0.5, 566, "NG"),
    r("Johannesburg", -26.20, 28.05, 40.0, 0.5, 710, "ZA"),
    r("Dubai", 25.20, 55.27, 25.0, 0.5, 784, "AE"),
];

/// A point on the map with its country.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Site {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lng: f64,
    /// Index into [`REGIONS`].
    pub region: usize,
}

impl Site {
    /// The region the site is in.
    pub fn region(&self) -> &'static Region {
        &REGIONS[self.region]
    }
}

/// Draws sites around the regions.
pub struct SiteSampler {
    cumulative: Vec<f64>,
    spread_scale: f64,
}

impl SiteSampler {
    /// A sampler; `spread_scale` multiplies every region's spread.
    pub fn new(spread_scale: f64) -> Self {
        SiteSampler { cumulative: cumulative(REGIONS.iter().map(|r| r.weight)), spread_scale }
    }

    /// A site in a region drawn by weight, scattered by the region's spread.
    pub fn draw(&self, rng: &mut SimRng) -> Site {
        let region = rng.pick_cumulative(&self.cumulative);
        let rg = &REGIONS[region];
        self.around(rng, rg.lat, rg.lng, rg.spread_km * self.spread_scale, region)
    }

    /// A site scattered `spread_km` (standard deviation) around a point.
    pub fn around(&self, rng: &mut SimRng, lat: f64, lng: f64, spread_km: f64, region: usize) -> Site {
        let dlat = rng.normal() * spread_km / 111.0;
        let dlng = rng.normal() * spread_km / (111.0 * lat.to_radians().cos().max(0.1));
        Site { lat: (lat + dlat).clamp(-85.0, 85.0), lng: wrap_lng(lng + dlng), region }
    }
}

fn wrap_lng(lng: f64) -> f64 {
    (lng + 540.0).rem_euclid(360.0) - 180.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_a_valid_centre_and_country() {
        for r in REGIONS {
            assert!((-90.0..=90.0).contains(&r.lat) && (-180.0..=180.0).contains(&r.lng), "{}", r.name);
            assert!(r.country > 0 && r.country < 999 && r.country != 231, "{}", r.name);
            assert_eq!(r.alpha2.len(), 2);
        }
    }

    #[test]
    fn sites_stay_near_their_region() {
        let s = SiteSampler::new(1.0);
        let mut rng = SimRng::new(1, 0);
        for _ in 0..500 {
            let site = s.draw(&mut rng);
            let rg = site.region();
            let km = ((site.lat - rg.lat) * 111.0).abs();
            assert!(km < rg.spread_km * 6.0 + 1.0, "{} {km}", rg.name);
        }
    }
}

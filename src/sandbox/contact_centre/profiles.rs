//! Arrival and handle-time shapes: intraday curves by day type, weekly factors, and the
//! hour-of-day handle-time multiplier (their sources are in the `contact_centre` module doc).

/// A smooth intraday curve: floor + plateau (smooth box) + Gaussian bumps, over local hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curve {
    pub floor: f64,
    /// (from hour, to hour, level).
    pub plateau: (f64, f64, f64),
    /// (centre hour, height, width in hours).
    pub bumps: &'static [(f64, f64, f64)],
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Curve {
    /// Relative arrival intensity at local hour `h`, with the bumps moved by `shift` hours.
    pub fn at(&self, h: f64, shift: f64) -> f64 {
        let (a, b, level) = self.plateau;
        let box_ = logistic((h - a) / 0.35) * logistic((b - h) / 0.35);
        let bumps: f64 = self
            .bumps
            .iter()
            .map(|&(c, height, w)| height * (-(h - c - shift).powi(2) / (2.0 * w * w)).exp())
            .sum();
        self.floor + level * box_ + bumps
    }
}

/// Intraday shape by day type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Intraday {
    Curves {
        weekday: Curve,
        saturday: Curve,
        sunday: Curve,
    },
    /// Fixed hourly weights (every day), for designed queues.
    Hourly(&'static [f64; 24]),
}

/// Weekday voice: late-morning peak, a lunchtime dip and a lower early-afternoon peak (Brown et
/// al. 2005, JASA 100(469), the weekday arrival-rate figures); weekends a single broad hump.
pub(crate) const VOICE: Intraday = Intraday::Curves {
    weekday: Curve {
        floor: 0.02,
        plateau: (7.5, 21.0, 0.25),
        bumps: &[(10.5, 1.0, 1.3), (14.5, 0.8, 1.5)],
    },
    saturday: Curve {
        floor: 0.02,
        plateau: (8.0, 20.0, 0.2),
        bumps: &[(12.0, 0.8, 2.5)],
    },
    sunday: Curve {
        floor: 0.02,
        plateau: (9.0, 19.0, 0.15),
        bumps: &[(13.0, 0.6, 2.8)],
    },
};

/// Voice with more night traffic (fraud, technical outages reported at any hour).
pub(crate) const VOICE_NIGHT: Intraday = Intraday::Curves {
    weekday: Curve {
        floor: 0.08,
        plateau: (7.0, 22.0, 0.3),
        bumps: &[(10.5, 0.9, 1.4), (14.5, 0.75, 1.6)],
    },
    saturday: Curve {
        floor: 0.08,
        plateau: (8.0, 22.0, 0.3),
        bumps: &[(12.5, 0.6, 3.0)],
    },
    sunday: Curve {
        floor: 0.08,
        plateau: (8.0, 22.0, 0.25),
        bumps: &[(13.5, 0.5, 3.0)],
    },
};

/// Chat: daytime peaks plus an evening peak after working hours.
pub(crate) const CHAT: Intraday = Intraday::Curves {
    weekday: Curve {
        floor: 0.03,
        plateau: (7.5, 23.0, 0.3),
        bumps: &[(11.0, 0.8, 1.5), (15.0, 0.7, 1.5), (20.0, 0.75, 1.6)],
    },
    saturday: Curve {
        floor: 0.03,
        plateau: (9.0, 23.0, 0.25),
        bumps: &[(14.0, 0.7, 3.0), (20.5, 0.5, 1.5)],
    },
    sunday: Curve {
        floor: 0.03,
        plateau: (9.0, 23.0, 0.25),
        bumps: &[(14.5, 0.6, 3.0), (20.5, 0.6, 1.5)],
    },
};

/// E-mail: written around the clock, most in office hours.
pub(crate) const EMAIL: Intraday = Intraday::Curves {
    weekday: Curve {
        floor: 0.12,
        plateau: (7.0, 22.0, 0.3),
        bumps: &[(10.0, 0.9, 1.8), (14.5, 0.7, 2.0)],
    },
    saturday: Curve {
        floor: 0.12,
        plateau: (9.0, 22.0, 0.3),
        bumps: &[(13.0, 0.5, 3.0)],
    },
    sunday: Curve {
        floor: 0.12,
        plateau: (9.0, 22.0, 0.3),
        bumps: &[(14.0, 0.5, 3.0)],
    },
};

/// Messaging (SMS, WhatsApp): midday and a stronger evening peak.
pub(crate) const MESSAGE: Intraday = Intraday::Curves {
    weekday: Curve {
        floor: 0.04,
        plateau: (8.0, 23.0, 0.3),
        bumps: &[(12.5, 0.7, 2.0), (19.5, 0.9, 2.0)],
    },
    saturday: Curve {
        floor: 0.04,
        plateau: (9.0, 23.0, 0.3),
        bumps: &[(14.0, 0.7, 3.0), (20.0, 0.6, 2.0)],
    },
    sunday: Curve {
        floor: 0.04,
        plateau: (9.0, 23.0, 0.3),
        bumps: &[(14.0, 0.6, 3.0), (20.0, 0.6, 2.0)],
    },
};

/// Billing Voice's designed hourly shares (open 08–18): a morning peak and a flat afternoon, so
/// 14:00–16:00 carries exactly 10 % of the day per hour (see `roster::BILLING`).
pub(crate) const BILLING_HOURLY: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.07, 0.11, 0.13, 0.13, 0.10, 0.10, 0.10, 0.10, 0.09,
    0.07, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
];

/// Weekly volume factors, Monday first (a Monday peak and quiet weekends, as North American
/// centres report; Ibrahim et al. 2016 survey the day-of-week effect).
pub(crate) const WEEK_VOICE: [f64; 7] = [1.18, 1.05, 1.0, 0.98, 0.92, 0.45, 0.30];
pub(crate) const WEEK_DIGITAL: [f64; 7] = [1.10, 1.04, 1.0, 1.0, 0.95, 0.65, 0.55];
pub(crate) const WEEK_EMAIL: [f64; 7] = [1.25, 1.05, 1.0, 0.98, 0.90, 0.35, 0.30];
pub(crate) const WEEK_FLAT: [f64; 7] = [1.05, 1.0, 1.0, 1.0, 1.0, 0.8, 0.75];
pub(crate) const WEEK_DESIGN: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0];

/// Hour-of-day handle-time multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AhtShape {
    /// The same mean at every hour (designed queues).
    Flat,
    /// A mild midday hump (+8 % at 12:00) and shorter calls at night (−6 % before 07:00 and
    /// from 21:00).
    Daytime,
}

impl AhtShape {
    pub fn factor(self, hour: f64) -> f64 {
        match self {
            AhtShape::Flat => 1.0,
            AhtShape::Daytime => {
                let night = if !(7.0..21.0).contains(&hour) {
                    -0.06
                } else {
                    0.0
                };
                1.0 + 0.08 * (-(hour - 12.0).powi(2) / (2.0 * 2.5 * 2.5)).exp() + night
            }
        }
    }
}

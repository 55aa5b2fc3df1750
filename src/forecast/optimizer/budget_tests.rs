//! The fit budget: the iteration cap and the wall-clock budget stop a fit at the best point so
//! far and say which limit hit; the trait path keeps Stan's "not converged" error.

use std::time::Duration;

use augurs_prophet::TrendIndicator;
use augurs_prophet::optimizer::{InitialParams, OptimizeOpts};

use super::tests::{data, pf};
use super::{BudgetHit, FitBudget, Model, NativeOptimizer, minimise_within};

fn init() -> InitialParams {
    InitialParams {
        k: 0.0,
        m: 0.0,
        delta: vec![0.0; 3],
        beta: vec![0.0; 3],
        sigma_obs: pf(1.0),
    }
}

#[test]
fn an_iteration_cap_returns_the_best_point_so_far_and_names_the_cap() {
    let d = data(TrendIndicator::Linear);
    let model = Model::new(&d, false).unwrap();
    let x0 = model.pack(0.0, 0.0, 1.0, &[0.0; 3], &[0.0; 3]);
    let f0 = model.value_grad(&x0, &mut vec![0.0; x0.len()]);
    let budget = FitBudget {
        max_iterations: 3,
        max_time: Duration::from_secs(60),
    };
    let fit = minimise_within(&model, x0, &OptimizeOpts::default(), &budget).unwrap();
    assert_eq!(fit.budget_hit, Some(BudgetHit::Iterations(3)));
    assert_eq!(fit.iterations, 3);
    assert!(fit.cost < f0, "{} !< {f0}", fit.cost);
    let full = minimise_within(
        &model,
        model.pack(0.0, 0.0, 1.0, &[0.0; 3], &[0.0; 3]),
        &OptimizeOpts::default(),
        &FitBudget::default(),
    )
    .unwrap();
    assert_eq!(full.budget_hit, None);
    assert!(full.cost <= fit.cost);
}

#[test]
fn a_spent_time_budget_stops_before_the_first_iteration() {
    let d = data(TrendIndicator::Linear);
    let budget = FitBudget {
        max_iterations: 10_000,
        max_time: Duration::ZERO,
    };
    let (params, hit) = NativeOptimizer
        .optimize_within(&init(), &d, &OptimizeOpts::default(), &budget)
        .unwrap();
    match hit {
        Some(BudgetHit::Time { iterations, .. }) => assert!(iterations <= 1, "{iterations}"),
        other => panic!("expected the time budget to hit, got {other:?}"),
    }
    assert!(params.k.is_finite() && params.m.is_finite());
    assert!(hit.unwrap().to_string().contains("time budget of 0 s"));
}

#[test]
fn the_default_budget_does_not_change_a_fit() {
    let d = data(TrendIndicator::Linear);
    use augurs_prophet::Optimizer;
    let opts = OptimizeOpts::default();
    let plain = NativeOptimizer.optimize(&init(), &d, &opts).unwrap();
    let (within, hit) = NativeOptimizer
        .optimize_within(&init(), &d, &opts, &FitBudget::default())
        .unwrap();
    assert_eq!(hit, None);
    assert_eq!(
        (plain.k, plain.m, &plain.delta),
        (within.k, within.m, &within.delta)
    );
    assert_eq!(plain.beta, within.beta);
}

//! The CloudWatch calls of the health section, one function each, over a client whose endpoint
//! is CloudWatch's (`aws::endpoint::monitoring_endpoint`). Paged calls page with `api::Pages`.

use super::api::Pages;
use super::client::{Client, Reply};
use crate::aws::cloudwatch::{
    CwOperation, DescribeAlarmsRequest, DescribeAlarmsResponse, GetMetricDataRequest,
    GetMetricDataResponse, ListMetricsRequest, ListMetricsResponse, Metric, MetricAlarm,
    PutMetricAlarmRequest, PutMetricAlarmResponse,
};
use crate::aws::error::KmsError;

/// Most pages of `ListMetrics` read for one store (500 metrics a page).
const MAX_METRIC_PAGES: usize = 20;
/// Most pages of one `GetMetricData` call.
const MAX_DATA_PAGES: usize = 50;
/// Most pages of `DescribeAlarms` (100 alarms a page).
const MAX_ALARM_PAGES: usize = 50;

/// Every `AWS/KMS` metric of a store (all pages of `ListMetrics`). Stops, with what it has,
/// as soon as `still()` is false after a reply.
pub async fn list_metrics(
    client: &Client,
    store_id: &str,
    still: impl Fn() -> bool,
) -> Result<Vec<Metric>, KmsError> {
    let mut all = Vec::new();
    let mut pages = Pages::new(ListMetricsRequest::for_store(store_id), MAX_METRIC_PAGES);
    loop {
        let reply: Reply<ListMetricsResponse> = client
            .call_cloudwatch(CwOperation::ListMetrics, &pages.request)
            .await?;
        if !still() {
            break;
        }
        let next = pages.request.next_page(&reply.output);
        all.extend(reply.output.metrics);
        if !pages.follow(next) {
            break;
        }
    }
    Ok(all)
}

/// One `GetMetricData` request (a view), all pages of its `NextToken`, in order: read them
/// with `console::health::views::combine`.
pub async fn get_metric_data(
    client: &Client,
    request: &GetMetricDataRequest,
    still: impl Fn() -> bool,
) -> Result<Vec<GetMetricDataResponse>, KmsError> {
    let mut out = Vec::new();
    let mut pages = Pages::new(request.clone(), MAX_DATA_PAGES);
    loop {
        let reply: Reply<GetMetricDataResponse> = client
            .call_cloudwatch(CwOperation::GetMetricData, &pages.request)
            .await?;
        if !still() {
            break;
        }
        let next = pages.request.next_page(&reply.output);
        out.push(reply.output);
        if !pages.follow(next) {
            break;
        }
    }
    Ok(out)
}

/// Every metric alarm of the account and region (all pages of `DescribeAlarms`): pick a
/// store's with `console::health::alarms::for_store`.
pub async fn describe_alarms(
    client: &Client,
    still: impl Fn() -> bool,
) -> Result<Vec<MetricAlarm>, KmsError> {
    let mut all = Vec::new();
    let first = DescribeAlarmsRequest {
        alarm_types: vec!["MetricAlarm".to_string()],
        max_records: Some(100),
        ..Default::default()
    };
    let mut pages = Pages::new(first, MAX_ALARM_PAGES);
    loop {
        let reply: Reply<DescribeAlarmsResponse> = client
            .call_cloudwatch(CwOperation::DescribeAlarms, &pages.request)
            .await?;
        if !still() {
            break;
        }
        let next = pages.request.next_page(&reply.output);
        all.extend(reply.output.metric_alarms);
        if !pages.follow(next) {
            break;
        }
    }
    Ok(all)
}

/// `PutMetricAlarm`, with a request from `console::health::alarms` that the user confirmed.
pub fn put_metric_alarm<'a>(
    client: &'a Client,
    request: &PutMetricAlarmRequest,
) -> impl Future<Output = Result<Reply<PutMetricAlarmResponse>, KmsError>> + 'a {
    client.call_cloudwatch(CwOperation::PutMetricAlarm, request)
}

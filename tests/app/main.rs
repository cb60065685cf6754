//! The desktop app driven through AccessKit labels with egui_kittest, as a user would: typing in
//! the message box, clicking buttons, reading what the cards show.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
mod snapshot;

use std::collections::VecDeque;
use textchem::app::backend::{Event, GenerateOptions, ModelBackend, ModelChoice, RequestId};
use textchem::app::dialogs::{Done, FileDialogs, FixedDialogs, NoDialogs, SaveRequest};
use textchem::app::fetch::{FetchCancelled, FetchProgress, ModelFetcher, ProgressFn};
use textchem::app::history::Status;
use textchem::app::history::{Exchange, History, ResultRecord};
use textchem::app::worker_backend::WorkerBackend;
use textchem::app::{App, AppOptions};
use textchem::model::task::Task;
use textchem::runtime::Device;
use textchem::runtime::engine::{Answer, RankedOutput};

fn options(dir: &Path, save_to: Option<PathBuf>) -> AppOptions {
    AppOptions {
        data_dir: dir.to_owned(),
        initial_input: None,
        initial_model: None,
        generate: Default::default(),
        screenshot: None,
        screenshot_frames: 10,
        script: Default::default(),
        dialogs: Box::new(FixedDialogs {
            save_to,
            folder: None,
        }),
        backend: Box::new(|_, _| Box::new(NoModel::default())),
        fetcher: Arc::new(Offline),
    }
}

/// The backend of an app with no model: every request fails as the worker's do without one.
#[derive(Default)]
struct NoModel {
    next_id: RequestId,
    events: VecDeque<Event>,
}

impl NoModel {
    fn fail(&mut self, message: String) -> RequestId {
        self.next_id += 1;
        let id = self.next_id;
        self.events.push_back(Event::Failed { id, message });
        id
    }
}

impl ModelBackend for NoModel {
    fn load(&mut self, _choice: ModelChoice, _device: Device) -> RequestId {
        self.fail("this test has no model runtime".into())
    }

    fn generate(&mut self, task: Task, _input: &str, _settings: GenerateOptions) -> RequestId {
        self.fail(format!("no model loaded for the {} task", task.name()))
    }

    fn cancel(&mut self, _id: RequestId) {}

    fn try_recv(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}

/// Tests never reach the network: catalogue models are "not downloadable".
struct Offline;

impl ModelFetcher for Offline {
    fn fetch(&self, name: &str, _: &mut ProgressFn<'_>) -> anyhow::Result<PathBuf> {
        anyhow::bail!("{name}: no network in tests")
    }
}

/// A writable copy of the tiny fixture checkpoint, for the "Choose folder…" dialog to return.
fn fixture_model_copy() -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model/t5-tiny-a");
    let model = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, model.path().join(path.file_name().unwrap())).unwrap();
    }
    model
}

/// `options` whose "Choose folder…" dialog answers `folder`.
fn options_choosing_folder(dir: &Path, folder: &Path) -> AppOptions {
    let mut opts = options(dir, None);
    opts.dialogs = Box::new(FixedDialogs {
        save_to: None,
        folder: Some(folder.to_owned()),
    });
    opts
}

fn harness(options: AppOptions) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::Vec2::new(1400.0, 900.0))
        .build_eframe(move |cc| App::new(cc, options))
}

/// Opens the planner, sets `target` and expands it once.
fn plan_and_expand(h: &mut Harness<'_, App>, target: &str) {
    h.get_by_label("Retrosynthesis planner").click();
    h.run();
    h.get_by_label("Target SMILES").focus();
    h.run();
    h.get_by_label("Target SMILES").type_text(target);
    h.run();
    h.get_by_label("Plan").click();
    h.run();
    h.get_by_label("Expand").click();
    h.run();
}

/// Types `text` into the message box.
fn type_message(h: &mut Harness<'_, App>, text: &str) {
    h.get_by_label("Message").focus();
    h.run();
    h.get_by_label("Message").type_text(text);
    h.run();
}

fn send(h: &mut Harness<'_, App>, text: &str) {
    type_message(h, text);
    h.get_by_label("Send").click();
    h.run();
}

/// A model that answers each task with fixed texts, at once (the chat and planner tests).
struct Scripted {
    answers: Vec<(Task, Vec<&'static str>)>,
    next: RequestId,
    events: VecDeque<Event>,
    /// The models it was asked to load.
    loads: Arc<Mutex<Vec<ModelChoice>>>,
    /// The device each load asked for.
    devices: Arc<Mutex<Vec<Device>>>,
}

impl Scripted {
    fn new(answers: Vec<(Task, Vec<&'static str>)>) -> Scripted {
        Scripted {
            answers,
            next: 0,
            events: VecDeque::new(),
            loads: Arc::default(),
            devices: Arc::default(),
        }
    }
}

impl ModelBackend for Scripted {
    fn load(&mut self, choice: ModelChoice, device: Device) -> RequestId {
        self.loads.lock().unwrap().push(choice);
        self.devices.lock().unwrap().push(device);
        self.next += 1;
        // Where a real engine would say it runs: the CPU unless a GPU was asked for.
        let device = match device {
            Device::Gpu => "GPU: scripted adapter",
            Device::Auto | Device::Cpu => "CPU",
        };
        self.events.push_back(Event::Loaded {
            id: self.next,
            model: "scripted".into(),
            device: device.into(),
        });
        self.next
    }

    fn generate(&mut self, task: Task, input: &str, _: GenerateOptions) -> RequestId {
        self.next += 1;
        let texts = self
            .answers
            .iter()
            .find(|(t, _)| *t == task)
            .map(|(_, a)| a.clone())
            .unwrap_or_default();
        let results = texts
            .into_iter()
            .enumerate()
            .map(|(k, t)| RankedOutput {
                rank: k + 1,
                text: t.to_owned(),
                score: -(k as f32) / 10.0,
                valid: None,
                canonical_smiles: None,
                error: None,
            })
            .collect();
        self.events.push_back(Event::Finished {
            id: self.next,
            answer: Answer {
                task: task.name().into(),
                input: input.into(),
                model: "scripted".into(),
                results,
            },
        });
        self.next
    }

    fn cancel(&mut self, _: RequestId) {}

    fn try_recv(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}

fn scripted(
    dir: &Path,
    save_to: Option<PathBuf>,
    answers: Vec<(Task, Vec<&'static str>)>,
) -> AppOptions {
    let mut opts = options(dir, save_to);
    opts.backend = Box::new(move |_, _| Box::new(Scripted::new(answers)));
    opts
}

#[test]
fn typing_ethanol_shows_a_card_with_its_formula_and_masses() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    send(&mut h, "CCO");
    h.get_by_label("C2H6O");
    h.get_by_label("46.069 g/mol");
    h.get_by_label("valid SMILES");
    // The caption itself needs the model; the card shows why there is none.
    h.get_by_label_contains("no model loaded for the caption task");
    assert_eq!(h.state().history().len(), 1);
    assert_eq!(h.state().history()[0].task, "caption");
}

#[test]
fn a_reaction_is_routed_to_forward_prediction_and_a_click_switches_task() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    type_message(&mut h, "CCO.CC(=O)O>>");
    h.get_by_label("Task: forward prediction");
    h.get_by_label("(detected)");
    h.get_by_label("retrosynthesis").click();
    h.run();
    h.get_by_label("Task: retrosynthesis");
    h.get_by_label("(chosen)");
    h.get_by_label("forward prediction").click();
    h.run();
    h.get_by_label("Task: forward prediction");
    h.get_by_label("Send").click();
    h.run();
    assert_eq!(h.state().history()[0].task, "forward");
}

/// The task buttons stay where they are when the task is detected or chosen, so a second
/// click lands on the button under the pointer.
#[test]
fn task_buttons_stay_put_when_the_task_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    let names = [
        "forward prediction",
        "retrosynthesis",
        "paragraph to actions",
        "text to molecule",
        "caption",
    ];
    let rects = |h: &Harness<'_, App>| names.map(|n| h.get_by_label(n).rect());
    let before = rects(&h);
    type_message(&mut h, "CCO.CC(=O)O>>");
    h.get_by_label("(detected)");
    assert_eq!(rects(&h), before, "after the task was detected");
    h.get_by_label("retrosynthesis").click();
    h.run();
    h.get_by_label("(chosen)");
    assert_eq!(rects(&h), before, "after a task was chosen");
}

#[test]
fn an_empty_message_box_shows_no_task() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    h.get_by_label("Task: none");
    assert!(h.query_by_label("(detected)").is_none());
    type_message(&mut h, "CCO");
    h.get_by_label("Task: caption");
    h.get_by_label("(detected)");
    // Sending empties the box: no task again.
    h.get_by_label("Send").click();
    h.run();
    h.get_by_label("Task: none");
}

/// A long SMILES in a narrow window: the card's lines wrap inside the chat instead of running
/// under the side panel.
#[test]
fn cards_wrap_inside_the_chat_panel() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), None);
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1000.0, 800.0))
        .build_eframe(move |cc| App::new(cc, opts));
    let chain = "C".repeat(90);
    send(&mut h, &chain);
    let side = h.get_by_label("Molecule").rect().min.x;
    let mut checked = 0;
    for node in h.get_all_by_label(&chain) {
        let r = node.rect();
        if r.min.x < side {
            assert!(r.max.x <= side, "{r:?} runs past the chat's edge at {side}");
            checked += 1;
        }
    }
    // The input line and the canonical SMILES.
    assert_eq!(checked, 2);
    let formula = h.get_by_label("C90H182").rect();
    assert!(formula.max.x <= side, "{formula:?}");
}

#[test]
fn a_procedure_becomes_a_numbered_list_of_actions() {
    let dir = tempfile::tempdir().unwrap();
    let answer = "ADD water (5 mL); STIR for 2 h at 25 °C; FILTER; WASH with ethanol.";
    let mut h = harness(scripted(
        dir.path(),
        None,
        vec![(Task::Actions, vec![answer])],
    ));
    type_message(
        &mut h,
        "Water (5 mL) was added and the mixture was stirred for 2 h at 25 °C. The solid was \
         filtered and washed with ethanol.",
    );
    h.get_by_label("Task: paragraph to actions");
    h.get_by_label("Send").click();
    h.run();
    h.get_by_label("1. ADD water (5 mL)");
    h.get_by_label("2. STIR for 2 h at 25 °C");
    h.get_by_label("3. FILTER");
    h.get_by_label("4. WASH with ethanol");
    assert_eq!(h.state().history()[0].results[0].text, answer);
}

/// Answers save dialogs with the next path of a list.
struct QueuedDialogs(Mutex<VecDeque<PathBuf>>);

impl FileDialogs for QueuedDialogs {
    fn save_file(&self, _request: SaveRequest, done: Done) {
        done(self.0.lock().unwrap().pop_front().into());
    }

    fn pick_folder(&self, _title: &str, done: Done) {
        done(None.into());
    }
}

/// Plans a route with a scripted model (retrosynthesis proposes two precursor sets; forward
/// prediction confirms both), selects the second and exports it as CSV, reaction SMILES, SVG and
/// PNG through the dialogs: each file holds that route only.
#[test]
fn the_selected_route_exports_as_csv_reactions_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, smi, svg, png) = (
        dir.path().join("route.csv"),
        dir.path().join("route.smi"),
        dir.path().join("route.svg"),
        dir.path().join("route.png"),
    );
    let mut opts = scripted(
        dir.path(),
        None,
        vec![
            (Task::Retro, vec!["CCO.CC(=O)O", "CCO.CC(=O)Cl"]),
            (Task::Forward, vec!["CCOC(C)=O"]),
        ],
    );
    opts.dialogs = Box::new(QueuedDialogs(Mutex::new(
        [csv.clone(), smi.clone(), svg.clone(), png.clone()].into(),
    )));
    let mut h = harness(opts);
    plan_and_expand(&mut h, "CCOC(C)=O");
    assert_eq!(h.get_all_by_label("round trip confirmed").count(), 2);
    h.get_by_label_contains("Selected route: 1 step, 2 starting materials (0 available)");
    // The second option, with ethanol bought.
    h.get_all_by_label("use in route").nth(1).unwrap().click();
    h.run();
    // Checkboxes: the target, option 1's two precursors, then option 2's: ethanol is the 4th.
    h.get_all_by_label("available").nth(3).unwrap().click();
    h.run();
    h.get_by_label_contains("(1 available)");
    h.get_by_label_contains("route probability 0.905");
    for (button, path) in [
        ("Export route CSV…", &csv),
        ("Export route reactions…", &smi),
        ("Export route SVG…", &svg),
        ("Export route PNG…", &png),
    ] {
        // Stepped, not run: the export thread's repaint may land at any frame.
        h.get_by_label(button).click();
        h.step();
        wait_for_export(&mut h, path);
    }
    let csv = std::fs::read_to_string(&csv)
        .unwrap_or_else(|e| panic!("{e}: notice {:?}", h.state().notice()));
    assert_eq!(
        csv,
        "depth,product,precursors,score,probability,round_trip,available,starting_materials\r\n\
         0,CCOC(C)=O,CCO.CC(=O)Cl,-0.1000,0.9048,confirmed,CCO,CCO.CC(=O)Cl\r\n"
    );
    assert_eq!(
        std::fs::read_to_string(&smi).unwrap(),
        "CCO.CC(=O)Cl>>CCOC(C)=O\n"
    );
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    assert!(svg.contains("route probability 0.905"), "{svg}");
    assert!(svg.contains(">available<") && svg.contains(">not available<"));
    // One arrow head, and the unchosen option's acid (two O labels only in CC(=O)O) absent.
    assert_eq!(svg.matches("<polygon").count(), 1);
    assert!(svg.contains(">Cl<"));
    let png = std::fs::read(png).unwrap();
    let (w, hgt) = textchem::depict::png::size_of(&png).unwrap();
    assert!(w > hgt, "drawn left to right: {w}x{hgt}");
    h.get_by_label_contains("saved route picture to");
    // The same picture on the clipboard.
    h.get_by_label("Copy route image").click();
    h.run();
    h.get_by_label_contains(&format!("copied a {w}×{hgt} image to the clipboard"));
}

#[test]
fn an_invalid_smiles_shows_the_readers_error_and_can_be_edited() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    send(&mut h, "CC(C");
    let err = h.get_by_label_contains("Invalid SMILES");
    assert!(format!("{err:?}").contains("column"), "{err:?}");
    h.get_by_label("Edit").click();
    h.run();
    assert_eq!(h.get_by_label("Message").value().as_deref(), Some("CC(C"));
}

#[test]
fn csv_export_through_the_dialog_writes_one_row_per_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.csv");
    let mut h = harness(options(dir.path(), Some(out.clone())));
    send(&mut h, "CCO");
    send(&mut h, "c1ccccc1O");
    h.get_by_label("Export CSV…").click();
    h.step();
    wait_for_export(&mut h, &out);
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "timestamp,task,input,rank,output,valid,canonical_smiles,formula,average_mass,score,model,\
         status,error"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    // Without a model the caption failed: no "valid" claim, the status and the reason instead.
    assert!(
        lines[1].ends_with(
            ",caption,CCO,,,,CCO,C2H6O,46.069,,,failed,no model loaded for the caption task"
        ),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",caption,c1ccccc1O,,,,"), "{}", lines[2]);
    assert!(lines[2].contains(",C6H6O,94.113,"), "{}", lines[2]);
    h.get_by_label_contains("exported 2 rows");
}

#[test]
fn history_survives_a_restart_and_is_searchable() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut h = harness(options(dir.path(), None));
        send(&mut h, "CCO");
        send(&mut h, "c1ccccc1");
    }
    let mut h = harness(options(dir.path(), None));
    assert_eq!(h.state().history().len(), 2);
    h.get_by_label("#1 caption: CCO");
    h.get_by_label("#2 caption: c1ccccc1");
    h.get_by_label("Search history").focus();
    h.run();
    h.get_by_label("Search history").type_text("c1cc");
    h.run();
    assert!(h.query_by_label("#1 caption: CCO").is_none());
    h.get_by_label("#2 caption: c1ccccc1").click();
    h.run();
    h.get_by_label("From history");
    // A new exchange after the restart continues the numbering.
    send(&mut h, "CC(=O)O");
    assert_eq!(h.state().history().last().unwrap().id, 3);
}

/// A history file with one entry the app cannot read: the others are restored, the user is told
/// where the original went, and a new exchange neither loses them nor touches that copy.
#[test]
fn a_damaged_history_entry_costs_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let original = r#"{"version": 1, "exchanges": [
        {"id": 1, "timestamp": "2026-01-01T00:00:00Z", "task": "caption", "input": "CCO"},
        {"id": 2, "timestamp": "2026-01-01T00:00:00Z", "task": "caption", "input": 5},
        {"id": 3, "timestamp": "2026-01-02T00:00:00Z", "task": "caption", "input": "CCN"}
    ]}"#;
    std::fs::write(dir.path().join("history.json"), original).unwrap();
    let mut h = harness(options(dir.path(), None));
    assert_eq!(h.state().history().len(), 2);
    let notice = h.state().notice().unwrap().to_owned();
    assert!(
        notice.contains("entry 2") && notice.contains("damaged-"),
        "{notice}"
    );
    h.get_by_label_contains("history.json is damaged");
    send(&mut h, "CC(=O)O");
    h.state_mut().flush_history();
    let saved = History::restore(dir.path()).history;
    let inputs: Vec<&str> = saved.exchanges.iter().map(|x| x.input.as_str()).collect();
    assert_eq!(inputs, ["CCO", "CCN", "CC(=O)O"]);
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("history.json.damaged-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), original);
}

/// history.json is written off the UI thread; after a flush it holds every exchange as the app
/// has it.
#[test]
fn the_history_file_is_complete_after_a_flush() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    send(&mut h, "CCO");
    send(&mut h, "c1ccccc1");
    h.state_mut().flush_history();
    let saved = History::restore(dir.path()).history;
    assert_eq!(saved.exchanges, h.state().history());
    assert!(!dir.path().join("history.tmp").exists());
}

/// Renders the real app with wgpu (Mesa lavapipe in CI) and checks that the molecule canvas
/// (white paper in the right panel) has the structure painted on it.
#[test]
fn the_canvas_paints_the_structure_with_wgpu() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), None);
    if !snapshot::adapter_or_skip("the wgpu canvas test") {
        return;
    }
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1400.0, 900.0))
        .with_theme(egui::Theme::Dark)
        .wgpu()
        .build_eframe(move |cc| App::new(cc, opts));
    send(&mut h, "CC(=O)Oc1ccccc1C(=O)O");
    let img = h
        .render()
        .expect("rendering needs a wgpu adapter (CI installs mesa-vulkan-drivers)");
    let (w, hgt) = img.dimensions();
    // The paper: the white pixels of the right panel.
    let x0 = w - 440;
    let white = |x: u32, y: u32| img.get_pixel(x, y).0[..3].iter().all(|&c| c > 245);
    let (mut lo, mut hi) = ((w, hgt), (0, 0));
    for y in 0..hgt {
        for x in x0..w {
            if white(x, y) {
                lo = (lo.0.min(x), lo.1.min(y));
                hi = (hi.0.max(x), hi.1.max(y));
            }
        }
    }
    assert!(
        hi.0 > lo.0 + 200 && hi.1 > lo.1 + 150,
        "no canvas: {lo:?}..{hi:?}"
    );
    let ink = (lo.1..=hi.1)
        .flat_map(|y| (lo.0..=hi.0).map(move |x| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0[..3].iter().all(|&c| c < 90))
        .count();
    assert!(ink > 300, "only {ink} dark pixels on the canvas");
}

/// A history with fixed timestamps: a caption of aspirin and a procedure turned into actions.
fn fixed_history(dir: &Path) {
    let result = |text: &str, score: f32| ResultRecord {
        rank: 1,
        text: text.to_owned(),
        score: Some(score),
        valid: None,
        canonical_smiles: None,
        error: None,
    };
    let mut caption = Exchange::new(1, Task::Caption, "CC(=O)Oc1ccccc1C(=O)O");
    caption.results = vec![result(
        "The molecule is a member of the class of benzoic acids that is salicylic acid in \
         which the hydroxy group has been converted into its acetate ester.",
        -0.125,
    )];
    let mut actions = Exchange::new(
        2,
        Task::Actions,
        "Water (5 mL) was added and the mixture was stirred for 2 h at 25 °C. The solid was \
         filtered and washed with ethanol.",
    );
    actions.results = vec![result(
        "ADD water (5 mL); STIR for 2 h at 25 °C; FILTER; WASH with ethanol",
        -0.25,
    )];
    let mut exchanges = vec![caption, actions];
    for (k, x) in exchanges.iter_mut().enumerate() {
        x.timestamp = format!("2026-01-0{}T09:00:00Z", k + 1);
        x.model = Some("t5-tiny-a".into());
        x.status = Status::Done;
    }
    let mut history = History::empty(dir.join("history.json"));
    history.exchanges = exchanges;
    history.save().unwrap();
}

/// The chat (two cards and the canvas) and the planner (a route) rendered with wgpu, compared
/// with tests/app/snapshots/*.png.
#[test]
fn snapshots_of_the_chat_and_the_planner() {
    if !snapshot::adapter_or_skip("the snapshot tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fixed_history(dir.path());
    let opts = scripted(
        dir.path(),
        None,
        vec![
            (Task::Retro, vec!["CCO.CC(=O)O", "CCO.CC(=O)Cl"]),
            (Task::Forward, vec!["CCOC(C)=O"]),
        ],
    );
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1200.0, 800.0))
        .with_theme(egui::Theme::Light)
        .wgpu()
        .build_eframe(move |cc| App::new(cc, opts));
    h.run();
    snapshot::check(&mut h, "chat");

    plan_and_expand(&mut h, "CCOC(C)=O");
    snapshot::check(&mut h, "planner");

    // The second option selected, ethanol bought: the radio, the summary and its probability.
    h.get_all_by_label("use in route").nth(1).unwrap().click();
    h.run();
    h.get_all_by_label("available")
        .nth(3)
        .unwrap()
        .click_accesskit();
    h.run();
    snapshot::check(&mut h, "planner_selected_route");
}

/// A stand-in for the hub: "downloads" a folder in four chunks, each let through by the test.
struct GatedFetcher {
    permits: Mutex<std::sync::mpsc::Receiver<()>>,
    folder: PathBuf,
    /// Set when the fetch saw its progress callback ask it to stop.
    stopped: Arc<std::sync::atomic::AtomicBool>,
}

impl ModelFetcher for GatedFetcher {
    fn fetch(&self, _name: &str, progress: &mut ProgressFn<'_>) -> anyhow::Result<PathBuf> {
        let permits = self.permits.lock().unwrap();
        for k in 1..=4u64 {
            permits.recv_timeout(std::time::Duration::from_secs(60))?;
            let p = FetchProgress {
                file: "model.safetensors",
                done: k * 1000,
                total: 4000,
            };
            if progress(p).is_break() {
                self.stopped
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                return Err(FetchCancelled.into());
            }
        }
        Ok(self.folder.clone())
    }
}

fn step_until_label(h: &mut Harness<'_, App>, label: &str) {
    let start = std::time::Instant::now();
    while h.query_by_label_contains(label).is_none() {
        assert!(start.elapsed().as_secs() < 60, "no {label:?} appeared");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Loading a catalogue model downloads it first with progress and Cancel (through a stand-in
/// for the hub); the model loads only once its files are there.
#[test]
fn catalogue_downloads_show_progress_and_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let (permit, permits) = std::sync::mpsc::channel();
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut opts = options(dir.path(), None);
    opts.fetcher = Arc::new(GatedFetcher {
        permits: Mutex::new(permits),
        folder: dir.path().to_owned(),
        stopped: Arc::clone(&stopped),
    });
    let backend = Scripted::new(Vec::new());
    let loads = Arc::clone(&backend.loads);
    opts.backend = Box::new(move |_, _| Box::new(backend));
    let mut h = harness(opts);
    let name = textchem::model::catalogue::Catalogue::builtin().default;

    click(&mut h, "Load model");
    permit.send(()).unwrap();
    step_until_label(&mut h, "model.safetensors, 1.0 kB of 4.0 kB");
    h.get_by_label_contains(&format!("Downloading {name}"));
    click(&mut h, "Cancel download");
    h.get_by_label("Cancelling…");
    permit.send(()).unwrap();
    step_until_label(&mut h, "cancelled");
    assert!(stopped.load(std::sync::atomic::Ordering::SeqCst));
    assert!(loads.lock().unwrap().is_empty());
    assert!(h.query_by_label("Cancel download").is_none());

    // Again, to the end: then the model loads.
    click(&mut h, "Load model");
    for _ in 0..4 {
        permit.send(()).unwrap();
    }
    step_until_label(&mut h, "Model: scripted");
    assert_eq!(*loads.lock().unwrap(), [ModelChoice::Catalogue(name)]);
}

/// The device picked in Model settings goes with the next load, and the top bar says where the
/// model runs.
#[test]
fn the_chosen_device_goes_with_the_load_and_the_top_bar_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model_copy();
    let mut opts = options_choosing_folder(dir.path(), model.path());
    let backend = Scripted::new(Vec::new());
    let devices = Arc::clone(&backend.devices);
    opts.backend = Box::new(move |_, _| Box::new(backend));
    let mut h = harness(opts);
    // Choosing the folder loads it: no second click.
    click(&mut h, "Choose folder…");
    step_until_label(&mut h, "on the CPU");

    click(&mut h, "Run the model on");
    click(&mut h, "GPU (any adapter)");
    click(&mut h, "Load model");
    step_until_label(&mut h, "on the GPU: scripted adapter");
    assert_eq!(*devices.lock().unwrap(), [Device::Auto, Device::Gpu]);
}

/// With the wgpu renderer, a model placed on the GPU runs on the window's own device (no
/// second device on the same GPU): the top bar says so, and a caption is answered on it
/// while the window keeps drawing.
#[test]
fn the_model_shares_the_windows_gpu_device() {
    if !snapshot::adapter_or_skip("the shared-device test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = fixture_model_copy();
    let mut opts = options_choosing_folder(dir.path(), model.path());
    opts.backend = Box::new(|ctx, window| {
        assert!(window.is_some(), "the wgpu harness offers no device");
        let ctx = ctx.clone();
        Box::new(WorkerBackend::spawn(move || ctx.request_repaint(), window))
    });
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1400.0, 900.0))
        .wgpu()
        .build_eframe(move |cc| App::new(cc, opts));
    click(&mut h, "Run the model on");
    click(&mut h, "GPU (any adapter)");
    click(&mut h, "Choose folder…");
    step_until_label(&mut h, "on the GPU: ");
    let top = format!("{:?}", h.get_by_label_contains("on the GPU: "));
    assert!(top.contains("shared with the window"), "{top}");
    type_message(&mut h, "CCO");
    click(&mut h, "Send");
    step_until(&mut h, "the caption", |a| {
        !matches!(a.history()[0].status, Status::Running(_))
    });
    assert_eq!(h.state().history()[0].status, Status::Done);
    h.render()
        .expect("the window still draws on the shared device");
}

/// Quantize writes a quantized copy (q4k by default) of the chosen checkpoint folder's weights
/// beside them.
#[test]
fn quantize_writes_a_gguf_beside_the_checkpoint() {
    let model = fixture_model_copy();
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options_choosing_folder(dir.path(), model.path()));
    click(&mut h, "Choose folder…");
    click(&mut h, "Quantize");
    step_until_label(&mut h, "quantized ");
    let note = h.get_by_label_contains("quantized ");
    assert!(format!("{note:?}").contains("to q4k"), "{note:?}");
    assert!(model.path().join("model-q4k.gguf").is_file());
}

/// Steps frames (the spinner keeps asking for repaints, so `run` would never settle) until
/// `done` holds, for at most two minutes.
fn step_until(h: &mut Harness<'_, App>, what: &str, done: impl Fn(&App) -> bool) {
    let start = std::time::Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(120),
            "timed out waiting for {what}; history: {:?}",
            h.state().history()
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    h.step();
}

/// Clicks the widget named `label` through AccessKit, as a screen reader does: wherever the
/// chat has scrolled it (a pointer click lands only on what is on screen).
fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_label(label).click_accesskit();
    h.step();
    h.step();
}

/// Stops the model thread right after it sends an event, while closed: the test then knows a
/// request is mid-generation however fast or slow the machine is.
#[derive(Default)]
struct Gate {
    /// (closed, events held since closing)
    state: Mutex<(bool, usize)>,
    changed: Condvar,
}

impl Gate {
    /// The worker's wake callback: waits while the gate is closed.
    fn pass(&self) {
        let mut s = self.state.lock().unwrap();
        if s.0 {
            s.1 += 1;
            self.changed.notify_all();
            while s.0 {
                s = self.changed.wait(s).unwrap();
            }
        }
    }

    fn close(&self) {
        *self.state.lock().unwrap() = (true, 0);
    }

    fn open(&self) {
        self.state.lock().unwrap().0 = false;
        self.changed.notify_all();
    }

    /// Whether the worker is waiting at the closed gate.
    fn holding(&self) -> bool {
        let s = self.state.lock().unwrap();
        s.0 && s.1 > 0
    }
}

/// Opens the gate when dropped, so a failing test does not leave the worker (which the harness
/// joins on drop) waiting forever.
struct OpenOnDrop(Arc<Gate>);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// The tiny fixture models were trained to reverse their input: a long input makes a long
/// answer, so generation runs for many steps.
fn long_smiles() -> String {
    "CC(=O)Oc1ccccc1C(=O)O.".repeat(12) + "CCO"
}

/// The real model worker with the tiny test checkpoint: load it through Model settings, caption
/// a SMILES end to end, then cancel a request while it generates, and the next one still runs.
#[test]
fn the_worker_captions_with_a_loaded_checkpoint_and_cancel_stops_a_request() {
    let model = fixture_model_copy();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options_choosing_folder(dir.path(), model.path());
    let gate = Arc::new(Gate::default());
    let worker_gate = Arc::clone(&gate);
    opts.backend = Box::new(move |ctx, window| {
        let ctx = ctx.clone();
        Box::new(WorkerBackend::spawn(
            move || {
                ctx.request_repaint();
                worker_gate.pass();
            },
            window,
        ))
    });
    let mut h = harness(opts);
    let _open = OpenOnDrop(Arc::clone(&gate));
    // Choosing the folder loads it: no second click.
    click(&mut h, "Choose folder…");
    let start = std::time::Instant::now();
    while h.query_by_label_contains("Model: ").is_none() {
        assert!(start.elapsed().as_secs() < 120, "the model never loaded");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    // Caption end to end: the exchange finishes with ranked answers from the loaded model.
    type_message(&mut h, "CCO");
    click(&mut h, "Send");
    step_until(&mut h, "the caption", |a| {
        !matches!(a.history()[0].status, Status::Running(_))
    });
    let x = &h.state().history()[0];
    assert_eq!(x.task, "caption");
    assert_eq!(x.status, Status::Done, "{x:?}");
    assert!(!x.results.is_empty());
    assert_eq!(x.results[0].rank, 1);
    assert!(x.model.is_some());

    // A long request, held by the gate after its first event: it is running, not finished.
    gate.close();
    send_no_settle(&mut h, &long_smiles());
    let start = std::time::Instant::now();
    while !gate.holding() {
        assert!(
            start.elapsed().as_secs() < 120,
            "the worker never started #2: {:?}",
            h.state().history()
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // A second request waits behind it.
    send_no_settle(&mut h, "CC(=O)O");
    assert!(matches!(h.state().history()[1].status, Status::Running(_)));
    h.get_by_label("Cancel request #3");
    click(&mut h, "Cancel request #2");
    gate.open();
    step_until(&mut h, "both requests to end", |a| {
        a.history()[1..]
            .iter()
            .all(|x| !matches!(x.status, Status::Running(_)))
    });
    assert_eq!(h.state().history()[1].status, Status::Cancelled);
    assert_eq!(h.state().history()[2].status, Status::Done);
    h.get_by_label("Cancelled.");
}

fn send_no_settle(h: &mut Harness<'_, App>, text: &str) {
    h.get_by_label("Message").focus();
    h.step();
    h.get_by_label("Message").type_text(text);
    // A long message grows the input panel: let its layout settle before finding Send.
    h.run_steps(3);
    click(h, "Send");
}

/// The fixture checkpoint in the repository (read only: loading never writes to it).
fn fixture_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model/t5-tiny-a")
}

/// Types `text` into the field named `label` in place of what it holds.
fn type_into(h: &mut Harness<'_, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
    h.step();
}

/// Without an XDG portal (CI's Xvfb has none) every dialog becomes a typed path field that says
/// why: a PNG is saved through it, and the fixture model loads from a typed folder path.
#[test]
fn without_a_portal_typed_paths_save_a_png_and_load_the_fixture_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), None);
    opts.dialogs = Box::new(NoDialogs("no XDG desktop portal".into()));
    opts.backend = Box::new(|ctx, window| {
        let ctx = ctx.clone();
        Box::new(WorkerBackend::spawn(move || ctx.request_repaint(), window))
    });
    let mut h = harness(opts);
    send_no_settle(&mut h, "CC(=O)Oc1ccccc1C(=O)O");

    click(&mut h, "Save PNG…");
    h.get_by_label_contains(
        "Save drawing as PNG: no file dialog could open (no XDG desktop portal)",
    );
    // A folder that does not exist is refused on the prompt, which stays.
    let png = dir.path().join("aspirin.png");
    type_into(
        &mut h,
        "Path for Save drawing as PNG",
        "/nonexistent/dir/a.png",
    );
    click(&mut h, "Save here");
    h.get_by_label_contains("does not exist");
    assert!(!Path::new("/nonexistent/dir/a.png").exists());
    type_into(
        &mut h,
        "Path for Save drawing as PNG",
        png.to_str().unwrap(),
    );
    click(&mut h, "Save here");
    wait_for_export(&mut h, &png);
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{e}: {:?}", h.state().notice()));
    assert!(bytes.starts_with(b"\x89PNG"));
    h.get_by_label_contains("saved ");
    assert!(h.query_by_label("Path for Save drawing as PNG").is_none());

    click(&mut h, "Choose folder…");
    type_into(
        &mut h,
        "Path for Model checkpoint folder",
        fixture_model().to_str().unwrap(),
    );
    click(&mut h, "Use this folder");
    step_until_label(&mut h, "Model: ");
    assert!(
        h.query_by_label("Path for Model checkpoint folder")
            .is_none()
    );
}

/// The "Model folder or hub id" field loads what it names with one click, and says what is
/// wrong with what it cannot read.
#[test]
fn the_model_field_loads_a_folder_or_a_hub_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), None);
    let backend = Scripted::new(Vec::new());
    let loads = Arc::clone(&backend.loads);
    opts.backend = Box::new(move |_, _| Box::new(backend));
    let mut h = harness(opts);
    type_into(&mut h, "Model folder or hub id", "not a model");
    click(&mut h, "Load");
    h.get_by_label_contains("not a catalogue name or hub id");
    type_into(&mut h, "Model folder or hub id", "someone/some-t5");
    click(&mut h, "Load");
    // The test's hub is offline: the download fails and says so.
    step_until_label(
        &mut h,
        "Downloading someone/some-t5: someone/some-t5: no network",
    );
    type_into(
        &mut h,
        "Model folder or hub id",
        fixture_model().to_str().unwrap(),
    );
    click(&mut h, "Load");
    step_until_label(&mut h, "Model: scripted");
    assert_eq!(
        *loads.lock().unwrap(),
        [ModelChoice::Folder(fixture_model())]
    );
}

/// A first start: the panel says what textchem does, lists the four checkpoints with their
/// sizes and what quantizing buys; one button downloads the default with progress, speed and
/// Cancel, then loads it, and the panel gives way to the chat.
#[test]
fn the_first_run_panel_downloads_the_default_with_progress_and_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let (permit, permits) = std::sync::mpsc::channel();
    let mut opts = options(dir.path(), None);
    opts.fetcher = Arc::new(GatedFetcher {
        permits: Mutex::new(permits),
        folder: dir.path().to_owned(),
        stopped: Arc::default(),
    });
    let backend = Scripted::new(Vec::new());
    let loads = Arc::clone(&backend.loads);
    opts.backend = Box::new(move |_, _| Box::new(backend));
    let mut h = harness(opts);
    let catalogue = textchem::model::catalogue::Catalogue::builtin();
    h.get_by_label("Get started: load a model to get answers");
    h.get_by_label_contains("textchem reads SMILES without a model");
    for m in &catalogue.models {
        let shown = if m.name == catalogue.default {
            format!("{} (default)", m.name)
        } else {
            m.name.clone()
        };
        h.get_by_label(&shown);
    }
    assert_eq!(h.get_all_by_label("~242 MB").count(), 2);
    assert_eq!(h.get_all_by_label("~892 MB").count(), 2);
    h.get_by_label_contains("Quantize (Model settings) writes an 8-bit or 4-bit copy");
    h.get_by_label("Checkpoint folder or hub id");

    click(&mut h, "Download and load base-augm (~892 MB)");
    permit.send(()).unwrap();
    step_until_label(&mut h, "model.safetensors, 1.0 kB of 4.0 kB");
    std::thread::sleep(std::time::Duration::from_millis(300));
    permit.send(()).unwrap();
    step_until_label(&mut h, "B/s");
    h.get_by_label("Cancel download");
    for _ in 0..2 {
        permit.send(()).unwrap();
    }
    step_until_label(&mut h, "Model: scripted");
    assert_eq!(
        *loads.lock().unwrap(),
        [ModelChoice::Catalogue(catalogue.default)]
    );
    h.step();
    assert!(
        h.query_by_label("Get started: load a model to get answers")
            .is_none()
    );
}

/// The first-run panel of a fresh start, then the typed path field a dialog becomes without a
/// portal, rendered with wgpu and compared with tests/app/snapshots/*.png.
#[test]
fn snapshots_of_the_first_run_panel_and_the_no_portal_path_field() {
    if !snapshot::adapter_or_skip("the snapshot tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), None);
    opts.dialogs = Box::new(NoDialogs("no XDG desktop portal".into()));
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1200.0, 800.0))
        .with_theme(egui::Theme::Light)
        .wgpu()
        .build_eframe(move |cc| App::new(cc, opts));
    h.run();
    snapshot::check(&mut h, "first_run");
    h.get_by_label("Choose a folder…").click();
    h.run();
    snapshot::check(&mut h, "no_portal_path");
}

/// A card answers the chemist's next questions: all of `props --all`'s properties with units
/// and the Lipinski/Veber verdicts; answers as probabilities with a tooltip; the same molecule
/// written twice listed once with both ranks; invalid answers hidden on request.
#[test]
fn cards_show_properties_probabilities_merged_duplicates_and_a_valid_only_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(scripted(
        dir.path(),
        None,
        vec![(Task::Molecule, vec!["CCCCCC", "CC(", "CCO", "C(CCCCC)"])],
    ));
    type_message(&mut h, "hexane, a colourless liquid alkane");
    h.get_by_label("text to molecule").click();
    h.run();
    click(&mut h, "Send");
    h.run();
    // Rank 1 and rank 4 are both hexane.
    h.get_by_label("ranks 1, 4 (the same molecule)");
    h.get_by_label("p = 1.000");
    h.get_by_label("p = 0.905");
    assert!(
        h.query_by_label("p = 0.741").is_none(),
        "rank 4 is merged into rank 1"
    );
    h.get_by_label("p = 0.819");
    // Hexane's properties, with units and verdicts.
    h.get_by_label("86.178 g/mol");
    h.get_by_label("0.0 Å²");
    for name in [
        "cLogP (Crippen)",
        "H-bond donors / acceptors",
        "Rotatable bonds",
        "Rings",
        "Formal charge",
        "Lipinski: passes",
        "Veber: passes",
    ] {
        assert!(h.query_all_by_label(name).next().is_some(), "no {name}");
    }
    // Hexane's and ethanol's.
    h.get_by_label("20.2 Å²");
    h.get_by_label_contains("Invalid SMILES");

    click(&mut h, "Valid answers only");
    h.run();
    assert!(h.query_by_label_contains("Invalid SMILES").is_none());
    h.get_by_label("1 invalid answer hidden");
    h.get_by_label("p = 0.819");
}

/// A model busy with long answers: requests wait until the test answers them or they are
/// cancelled.
#[derive(Default)]
struct Held {
    next: RequestId,
    events: Arc<Mutex<VecDeque<Event>>>,
}

impl ModelBackend for Held {
    fn load(&mut self, _: ModelChoice, _: Device) -> RequestId {
        self.next += 1;
        self.next
    }

    fn generate(&mut self, _: Task, _: &str, _: GenerateOptions) -> RequestId {
        self.next += 1;
        self.next
    }

    fn cancel(&mut self, id: RequestId) {
        self.events
            .lock()
            .unwrap()
            .push_back(Event::Cancelled { id });
    }

    fn try_recv(&mut self) -> Option<Event> {
        self.events.lock().unwrap().pop_front()
    }
}

fn held(dir: &Path) -> (AppOptions, Arc<Mutex<VecDeque<Event>>>) {
    let backend = Held::default();
    let events = Arc::clone(&backend.events);
    let mut opts = options(dir, None);
    opts.backend = Box::new(move |_, _| Box::new(backend));
    (opts, events)
}

/// Requests behind the running one say they are queued and where; Escape cancels the running
/// one; Retry asks again as the same task.
#[test]
fn queued_requests_say_so_escape_cancels_and_retry_asks_again() {
    let dir = tempfile::tempdir().unwrap();
    let (opts, _) = held(dir.path());
    let mut h = harness(opts);
    for smiles in ["CCO", "CCN", "CCC"] {
        send_no_settle(&mut h, smiles);
    }
    h.get_by_label("The model is working…");
    h.get_by_label("Queued: 1 request ahead");
    h.get_by_label("Queued: 2 requests ahead");

    h.key_press(egui::Key::Escape);
    h.step();
    h.step();
    assert_eq!(h.state().history()[0].status, Status::Cancelled);
    h.get_by_label("Cancelled.");
    h.get_by_label("The model is working…");
    h.get_by_label("Queued: 1 request ahead");

    click(&mut h, "Retry request #1");
    let x = h.state().history().last().unwrap();
    assert_eq!(
        (x.id, x.task.as_str(), x.input.as_str()),
        (4, "caption", "CCO")
    );
    assert!(matches!(x.status, Status::Running(_)));
    h.get_by_label("Queued: 2 requests ahead");
}

/// The canvas keeps the molecule of the request made last when an earlier one finishes late.
#[test]
fn a_late_answer_does_not_take_the_canvas_from_the_latest_request() {
    let dir = tempfile::tempdir().unwrap();
    let (opts, events) = held(dir.path());
    let mut h = harness(opts);
    h.get_by_label("text to molecule").click();
    h.step();
    send_no_settle(&mut h, "ethyl acetate");
    send_no_settle(&mut h, "c1ccccc1");
    assert_eq!(h.state().canvas_smiles(), Some("c1ccccc1"));
    let Status::Running(first) = h.state().history()[0].status else {
        panic!("{:?}", h.state().history()[0])
    };
    events.lock().unwrap().push_back(Event::Finished {
        id: first,
        answer: Answer {
            task: "molecule".into(),
            input: "ethyl acetate".into(),
            model: "held".into(),
            results: vec![RankedOutput {
                rank: 1,
                text: "CCOC(C)=O".into(),
                score: -0.1,
                valid: None,
                canonical_smiles: None,
                error: None,
            }],
        },
    });
    h.step();
    h.step();
    assert_eq!(h.state().history()[0].status, Status::Done);
    assert_eq!(h.state().canvas_smiles(), Some("c1ccccc1"));
    h.get_by_label("The model is working…");
}

/// Max length states its limits; a 5,000-character input scrolls inside the box, Send stays
/// on screen, and the count of tokens against the model's 512 warns; the history search finds
/// a molecule written in another atom order.
#[test]
fn limits_are_stated_long_input_is_clipped_and_search_finds_any_atom_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    h.get_by_label("(8 to 512 tokens)");
    send(&mut h, "OCC");

    type_message(&mut h, &"C".repeat(5000));
    h.get_by_label("about 2500 of 512 tokens: too long");
    let send_button = h.get_by_label("Send").rect();
    assert!(send_button.max.y <= 900.0, "{send_button:?}");
    let canvas = h.get_by_label("Molecule").rect();
    assert!(canvas.min.y < 100.0, "{canvas:?}");

    for query in ["CCO", "C(O)C", "[CH3][CH2]O"] {
        type_into(&mut h, "Search history", query);
        assert!(
            h.query_by_label("#1 caption: OCC").is_some(),
            "{query} does not find OCC"
        );
    }
    type_into(&mut h, "Search history", "CCN");
    assert!(h.query_by_label("#1 caption: OCC").is_none());
}

#[test]
fn a_molecule_card_shows_its_inchikey_with_a_copy_button() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(options(dir.path(), None));
    send(&mut h, "CC(=O)Oc1ccccc1C(=O)O");
    h.get_by_label("BSYNRYMUTXBXSQ-UHFFFAOYSA-N");
    h.get_by_label("Copy InChIKey").click();
    h.step();
    let copied = h.output().platform_output.commands.iter().any(
        |c| matches!(c, egui::OutputCommand::CopyText(t) if t == "BSYNRYMUTXBXSQ-UHFFFAOYSA-N"),
    );
    assert!(copied, "{:?}", h.output().platform_output.commands);
}

/// A history of three captions: aspirin, benzene and ethanol.
fn three_molecules(dir: &Path) {
    captions(dir, &["CC(=O)Oc1ccccc1C(=O)O", "c1ccccc1", "CCO"]);
}

/// A history of one caption exchange (with no answer) per SMILES.
fn captions(dir: &Path, molecules: &[&str]) {
    let mut history = History::empty(dir.join("history.json"));
    for (k, &smiles) in molecules.iter().enumerate() {
        let mut x = Exchange::new(k as u64 + 1, Task::Caption, smiles);
        x.timestamp = format!("2026-01-0{}T09:00:00Z", k + 1);
        x.status = Status::Done;
        history.exchanges.push(x);
    }
    history.save().unwrap();
}

const ASPIRIN: &str = "#1 caption: CC(=O)Oc1ccccc1C(=O)O";
const BENZENE: &str = "#2 caption: c1ccccc1";
const ETHANOL: &str = "#3 caption: CCO";

/// Types `query` into the history search with "Contains substructure" on.
fn search_substructure(h: &mut Harness<'_, App>, query: &str) {
    click(h, "Contains substructure");
    h.get_by_label("Search history").focus();
    h.step();
    h.get_by_label("Search history").type_text(query);
    // Steps, not `run`: a long search shows a spinner, which repaints.
    h.step();
    h.step();
}

#[test]
fn a_substructure_search_lists_the_exchanges_whose_molecules_contain_it() {
    let dir = tempfile::tempdir().unwrap();
    three_molecules(dir.path());
    let mut h = harness(options(dir.path(), None));
    search_substructure(&mut h, "c1ccccc1");
    h.get_by_label(ASPIRIN);
    h.get_by_label(BENZENE);
    assert!(h.query_by_label(ETHANOL).is_none());
    h.get_by_label("2 of 3");
    // A carboxylic acid: no exchange holds this text, only aspirin the group.
    let mut h = harness(options(dir.path(), None));
    search_substructure(&mut h, "C(=O)[OH]");
    h.get_by_label(ASPIRIN);
    assert!(h.query_by_label(BENZENE).is_none());
    assert!(h.query_by_label(ETHANOL).is_none());
    h.get_by_label("1 of 3");
}

#[test]
fn an_invalid_smarts_shows_its_column_and_lists_nothing() {
    let dir = tempfile::tempdir().unwrap();
    three_molecules(dir.path());
    let mut h = harness(options(dir.path(), None));
    search_substructure(&mut h, "c1cc(");
    let error = textchem::chem::smarts::Smarts::parse("c1cc(").unwrap_err();
    assert!(error.to_string().contains("at column 4"), "{error}");
    h.get_by_label(&format!("Invalid SMARTS: {error}"));
    h.get_by_label("0 of 3");
    assert!(h.query_by_label(BENZENE).is_none());
}

#[test]
fn similar_to_this_orders_the_history_by_tanimoto_similarity() {
    let dir = tempfile::tempdir().unwrap();
    three_molecules(dir.path());
    let mut h = harness(options(dir.path(), None));
    // The first card is aspirin's.
    h.query_all_by_label("Similar to this")
        .next()
        .unwrap()
        .click_accesskit();
    h.run();
    let rows: Vec<String> = h
        .query_all_by_label_contains(" · #")
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0], format!("1.00 · {ASPIRIN}"), "{rows:?}");
    // Benzene shares the ring with aspirin; ethanol shares almost nothing.
    assert!(rows[1].ends_with(BENZENE), "{rows:?}");
    assert!(rows[2].ends_with(ETHANOL), "{rows:?}");
    click(&mut h, "Clear similarity");
    h.run();
    h.get_by_label(ASPIRIN);
    assert!(h.query_by_label_contains(" · #").is_none());
}

/// The atoms and bonds of a substructure match are marked on the card's drawing.
#[test]
fn snapshot_of_a_substructure_marked_on_a_card() {
    if !snapshot::adapter_or_skip("the snapshot tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    captions(dir.path(), &["CC(=O)Oc1ccccc1C(=O)O"]);
    let opts = options(dir.path(), None);
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1200.0, 1000.0))
        .with_theme(egui::Theme::Light)
        .wgpu()
        .build_eframe(move |cc| App::new(cc, opts));
    search_substructure(&mut h, "c1ccccc1C(=O)O");
    h.get_by_label("1 of 1");
    snapshot::check(&mut h, "substructure");
}

/// A thousand ChEBI-20 molecules in the history: the substructure search is spread over frames
/// (each within its time budget plus drawing) and then costs only lookups. Prints the figures
/// docs/app.md quotes; skips when ../shared is absent.
#[test]
fn a_substructure_search_over_a_thousand_exchanges_keeps_frames_short() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/chebi20/test.txt");
    let Ok(text) = std::fs::read_to_string(&file) else {
        eprintln!("skipped: {} is absent", file.display());
        return;
    };
    let smiles: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1))
        .take(1000)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    captions(dir.path(), &smiles);
    let mut h = harness(options(dir.path(), None));
    h.step();
    let t = std::time::Instant::now();
    h.step();
    let plain = t.elapsed();
    search_substructure(&mut h, "c1ccccc1");
    let start = std::time::Instant::now();
    let (mut frames, mut slowest) = (0, std::time::Duration::ZERO);
    while h.query_by_label_contains("Searching:").is_some() {
        let t = std::time::Instant::now();
        h.step();
        slowest = slowest.max(t.elapsed());
        frames += 1;
        assert!(start.elapsed().as_secs() < 300, "the search never finished");
    }
    let searched = start.elapsed();
    let t = std::time::Instant::now();
    h.step();
    let cached = t.elapsed();
    let with_ring = smiles
        .iter()
        .filter(|s| {
            let m = textchem::chem::smiles::parse_molecule(s).unwrap();
            textchem::chem::smarts::Smarts::parse("c1ccccc1")
                .unwrap()
                .is_match(&m)
        })
        .count();
    h.get_by_label(&format!("{with_ring} of {}", smiles.len()));
    eprintln!(
        "1000 exchanges: a frame with no search {plain:?}; searched in {searched:?} over \
         {frames} frames (slowest {slowest:?}); a frame once searched: {cached:?}"
    );
}

/// Save PNG crops to the drawing: aspirin's PNG has the drawing's aspect and size plus the
/// margin at the chosen scale, and the 300 dpi choice records its resolution and physical width.
#[test]
fn saved_pictures_are_cropped_to_the_drawing_at_the_chosen_size() {
    use textchem::depict::png::{dpi_of, size_of};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aspirin.png");
    let mut h = harness(options(dir.path(), Some(path.clone())));
    let aspirin = "CC(=O)Oc1ccccc1C(=O)O";
    send(&mut h, aspirin);
    let scene = textchem::depict::molecule_scene(
        &textchem::chem::smiles::parse_molecule(aspirin).unwrap(),
        &textchem::depict::Style::default(),
    );
    let (lo, hi) = scene.bounds();
    let (dw, dh) = (hi.x - lo.x, hi.y - lo.y);
    for (choice, k) in [("1×", 1.0), ("4×", 4.0)] {
        click(&mut h, choice);
        click(&mut h, "Save PNG…");
        wait_for_export(&mut h, &path);
        let png = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}: {:?}", h.state().notice()));
        let (w, hgt) = size_of(&png).unwrap();
        // 40 px per bond length and a 10 px margin at 1×.
        let (ew, eh) = (dw * 40.0 * k + 20.0 * k, dh * 40.0 * k + 20.0 * k);
        assert!((w as f64 - ew).abs() <= 1.0, "{choice}: {w} vs {ew}");
        assert!((hgt as f64 - eh).abs() <= 1.0, "{choice}: {hgt} vs {eh}");
        let aspect = (w as f64 - 20.0 * k) / (hgt as f64 - 20.0 * k);
        assert!((aspect - dw / dh).abs() < 0.02, "{aspect} vs {}", dw / dh);
        assert_eq!(dpi_of(&png), None);
        std::fs::remove_file(&path).unwrap();
    }
    click(&mut h, "300 dpi");
    click(&mut h, "Save PNG…");
    wait_for_export(&mut h, &path);
    let png = std::fs::read(&path).unwrap();
    assert!((dpi_of(&png).unwrap() - 300.0).abs() < 0.05);
    // The default 8 cm at 300 dpi.
    assert_eq!(size_of(&png).unwrap().0, 945);
    h.get_by_label_contains("8 cm at 300 dpi");

    // Copy image: the same picture goes to the clipboard as an image command.
    h.get_by_label("Copy image").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyImage(image) => Some(image.size),
            _ => None,
        });
    let (w, hgt) = size_of(&png).unwrap();
    assert_eq!(copied, Some([w as usize, hgt as usize]));
    h.run();
    h.get_by_label_contains(&format!("copied a {w}×{hgt} image to the clipboard"));
}

/// SDF export: the history's listed exchanges give their SMILES inputs and valid answers (not
/// the invalid one), and a card's "Save SDF…" gives its molecule; each record is a MOL block
/// with name, SMILES, canonical SMILES and formula fields, ended by `$$$$`.
#[test]
fn sdf_export_of_the_history_and_of_a_card() {
    let dir = tempfile::tempdir().unwrap();
    let record = |rank: usize, text: &str, valid: bool| ResultRecord {
        rank,
        text: text.to_owned(),
        score: Some(-0.1),
        valid: Some(valid),
        canonical_smiles: None,
        error: None,
    };
    let mut described = Exchange::new(1, Task::Molecule, "The molecule is ethanol.");
    // An entry saved before validity was recorded (rank 3) is read again.
    let mut unchecked = record(3, "OC", true);
    unchecked.valid = None;
    described.results = vec![record(1, "CCO", true), record(2, "C1CC", false), unchecked];
    let mut caption = Exchange::new(2, Task::Caption, "c1ccccc1O");
    caption.results = vec![record(1, "The molecule is phenol.", false)];
    for x in [&mut described, &mut caption] {
        x.status = Status::Done;
    }
    let mut history = History::empty(dir.path().join("history.json"));
    history.exchanges = vec![described, caption];
    history.save().unwrap();
    let (all, one) = (dir.path().join("all.sdf"), dir.path().join("one.sdf"));
    let mut opts = options(dir.path(), None);
    opts.dialogs = Box::new(QueuedDialogs(Mutex::new([all.clone(), one.clone()].into())));
    let mut h = harness(opts);
    h.run();
    click(&mut h, "Export SDF…");
    wait_for_export(&mut h, &all);
    let sdf = std::fs::read_to_string(&all)
        .unwrap_or_else(|e| panic!("{e}: notice {:?}", h.state().notice()));
    let records: Vec<&str> = sdf.split_terminator("$$$$\n").collect();
    assert_eq!(records.len(), 3, "{sdf}");
    assert_eq!(sdf.matches("$$$$\n").count(), 3);
    assert!(
        records[0].starts_with("#1 molecule answer 1\n"),
        "{}",
        records[0]
    );
    assert!(records[0].contains("\n  3  2  0  0  0  0  0  0  0  0999 V2000\n"));
    assert!(records[0].contains("> <smiles>\nCCO\n\n> <canonical_smiles>\nCCO\n\n"));
    assert!(records[0].contains("> <formula>\nC2H6O\n\n"));
    assert!(
        records[1].starts_with("#1 molecule answer 3\n"),
        "{}",
        records[1]
    );
    assert!(records[2].starts_with("#2 input\n"), "{}", records[2]);
    assert!(records[2].contains("> <formula>\nC6H6O\n\n"));
    assert!(!sdf.contains("C1CC"));
    h.get_by_label_contains("saved 3 molecules to");

    send(&mut h, "CC(=O)[O-]");
    // The newest card's button (the history's cards have theirs above).
    h.get_all_by_label("Save SDF…")
        .last()
        .unwrap()
        .click_accesskit();
    h.step();
    h.step();
    wait_for_export(&mut h, &one);
    let sdf = std::fs::read_to_string(&one).unwrap();
    assert!(sdf.starts_with("CC(=O)[O-]\n"));
    assert!(sdf.contains("M  CHG  1   4  -1\n"));
    assert!(sdf.contains("> <formula>\nC2H3O2-\n\n"));
    assert!(sdf.ends_with("\n$$$$\n"));
    assert_eq!(sdf.matches("$$$$").count(), 1);
}

/// An invalid answer shows the reader's error and where it is: a valence error draws the graph as
/// written with the named atom circled; a grammar error marks the character in the SMILES.
#[test]
fn invalid_answers_show_the_atoms_or_the_place_the_reader_names() {
    let dir = tempfile::tempdir().unwrap();
    let opts = scripted(
        dir.path(),
        None,
        vec![(Task::Molecule, vec!["C(C)(C)(C)(C)C", "CC(C"])],
    );
    let mut h = harness(opts);
    send(&mut h, "The molecule is a branched alkane.");
    h.get_by_label_contains("impossible valence (atoms 0) at column 0");
    h.get_by_label("As written, with the atoms the reader names circled in red.");
    h.get_by_label_contains("unmatched parenthesis");
    h.get_by_label("marked: where the reader stopped (column 2)");
    // The answer as the model wrote it, and the copy with the marked character.
    assert_eq!(h.get_all_by_label("CC(C").count(), 2);
}

/// The invalid answers' card: the circled atom and the marked character.
#[test]
fn snapshot_of_invalid_answers() {
    if !snapshot::adapter_or_skip("the snapshot tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let opts = scripted(
        dir.path(),
        None,
        vec![(Task::Molecule, vec!["C(C)(C)(C)(C)C", "CC(C"])],
    );
    let mut h = Harness::builder()
        .with_size(egui::Vec2::new(1200.0, 800.0))
        .with_theme(egui::Theme::Light)
        .wgpu()
        .build_eframe(move |cc| App::new(cc, opts));
    send(&mut h, "The molecule is a branched alkane.");
    snapshot::check(&mut h, "invalid_answers");
}

/// Steps until the export thread has written `path` and said so.
fn wait_for_export(h: &mut Harness<'_, App>, path: &Path) {
    let name = path.display().to_string();
    step_until(h, &format!("the export to {name}"), |app| {
        path.exists()
            && app
                .notice()
                .is_some_and(|n| n.contains(&name) && !n.starts_with("saving "))
    });
}

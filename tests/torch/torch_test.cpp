// actfn's PyTorch adapter from C++: the module, its parameters and state_dict, autograd against the
// explicit backward and against finite differences, in place, errors.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "actfn/torch.hpp"

namespace {

using actfn::torch::Activation;

TEST(TorchModule, PreluParametersStateDictAndPrettyPrint) {
  Activation m("prelu(num_parameters=3)");
  const auto params = m->named_parameters();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params.begin()->key(), "weight");
  EXPECT_TRUE(torch::equal(m->named_parameters()["weight"], torch::full({3}, 0.25)));
  {
    torch::NoGradGuard no_grad;
    m->named_parameters()["weight"].copy_(torch::tensor({0.1f, 0.2f, 0.3f}));
  }
  std::stringstream saved;
  torch::save(m, saved);
  Activation other("prelu(num_parameters=3)");
  torch::load(other, saved);
  EXPECT_TRUE(torch::equal(other->named_parameters()["weight"], m->named_parameters()["weight"]));
  // Same values as torch's own PReLU with those weights.
  torch::nn::PReLU theirs(torch::nn::PReLUOptions().num_parameters(3));
  {
    torch::NoGradGuard no_grad;
    theirs->weight.copy_(m->named_parameters()["weight"]);
  }
  const torch::Tensor x = torch::randn({5, 3, 4});
  EXPECT_TRUE(torch::equal(m(x), theirs(x)));
  m->reset_parameters();
  EXPECT_TRUE(torch::equal(m->named_parameters()["weight"], torch::full({3}, 0.25)));
  std::ostringstream text;
  m->pretty_print(text);
  EXPECT_EQ(text.str(), "actfn::Activation(prelu(num_parameters=3))");
  const auto copy = std::dynamic_pointer_cast<actfn::torch::ActivationImpl>(m->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(torch::equal(copy->named_parameters()["weight"], m->named_parameters()["weight"]));
}

TEST(TorchModule, AutogradMatchesTheExplicitBackwardWithParameterGradients) {
  Activation m("swish(beta=1.5)");
  const torch::Tensor x = torch::randn({64}, torch::kFloat64).requires_grad_();
  const torch::Tensor dy = torch::randn({64}, torch::kFloat64);
  m->to(torch::kFloat64);
  m(x).backward(dy);
  const torch::Tensor beta = m->named_parameters()["beta"];
  auto [dx, dbeta] = actfn::torch::backward(dy, x.detach(), "swish", beta.detach());
  EXPECT_TRUE(torch::equal(x.grad(), dx));
  EXPECT_TRUE(torch::equal(beta.grad(), dbeta));
  // The parameter gradient against a central difference.
  const double h = 1e-6;
  const auto f = [&](double b) {
    return actfn::torch::forward(x.detach(), "swish", torch::tensor({b}, torch::kFloat64)).mul(dy).sum().item<double>();
  };
  EXPECT_NEAR(dbeta.item<double>(), (f(1.5 + h) - f(1.5 - h)) / (2 * h), 1e-6);
}

TEST(TorchModule, InPlaceVectorWiseAndErrors) {
  Activation relu(actfn::torch::ActivationOptions("relu").inplace(true));
  torch::Tensor x = torch::randn({10});
  const torch::Tensor expected = torch::relu(x);
  const torch::Tensor y = relu(x);
  EXPECT_TRUE(torch::equal(x, expected));
  EXPECT_EQ(y.data_ptr(), x.data_ptr());
  Activation softmax(actfn::torch::ActivationOptions("softmax").dim(0));
  const torch::Tensor z = torch::randn({7, 5});
  EXPECT_TRUE(torch::allclose(softmax(z), torch::softmax(z, 0)));
  try {
    actfn::torch::forward(torch::randn({4}), "prelu", torch::rand({2}));
    FAIL() << "expected an error";
  } catch (const actfn::Error& e) {
    EXPECT_EQ(std::string(e.what()), "prelu: learned has 2 channels but x has 4 on dim 0");
  }
  EXPECT_THROW(Activation("nope"), actfn::Error);
  EXPECT_THROW(actfn::torch::forward(torch::randn({4}).to(torch::kInt32), "relu"), actfn::Error);
}

// In place on autograd data torch protects: a leaf that requires grad, a view of one (at any
// depth) and a view made under no_grad are refused before anything is written, with torch's own
// message (torch::relu_ on the same tensor says what it is); under no_grad torch allows both, and
// so does actfn.
TEST(TorchModule, InPlaceOnALeafOrAViewOfOneIsRefusedBeforeWriting) {
  const torch::Tensor w = torch::randn({6}).requires_grad_();
  const torch::Tensor before = w.detach().clone();
  torch::Tensor no_grad_view;
  {
    torch::NoGradGuard no_grad;
    no_grad_view = w.slice(0, 2);
  }
  const auto torch_message = [](torch::Tensor t) {
    try {
      torch::relu_(t);
    } catch (const c10::Error& e) {
      return e.msg();
    }
    return std::string("torch accepted it");
  };
  for (torch::Tensor t : {w, w.slice(0, 1), w.slice(0, 1).slice(0, 2), w.view({2, 3}), no_grad_view}) {
    SCOPED_TRACE(c10::str(t.sizes()));
    const std::string expected = torch_message(t);
    ASSERT_NE(expected, "torch accepted it");
    try {
      actfn::torch::forward_(t, "relu");
      ADD_FAILURE() << "expected an error";
    } catch (const actfn::Error& e) {
      EXPECT_EQ(std::string(e.what()), "relu in place: " + expected);
    }
    EXPECT_TRUE(torch::equal(w.detach(), before));
    EXPECT_FALSE(w.grad_fn());
  }
  Activation relu(actfn::torch::ActivationOptions("relu").inplace(true));
  EXPECT_THROW(relu(w), actfn::Error);
  EXPECT_TRUE(torch::equal(w.detach(), before));
  {
    torch::NoGradGuard no_grad;
    torch::Tensor view = w.slice(0, 3);
    actfn::torch::forward_(view, "relu");
    torch::Tensor leaf = w;
    actfn::torch::forward_(leaf, "sigmoid");
  }
  const torch::Tensor expected = torch::cat({before.slice(0, 0, 3), torch::relu(before.slice(0, 3))});
  EXPECT_TRUE(torch::equal(w.detach(), actfn::torch::forward(expected, "sigmoid")));
}

}  // namespace
